/*
 * crmweaver/tasks.h: task synthesis, task files, gold programs, rewards and
 * the simulated user.
 *
 * A task is one JSON object in the record format of the published CRMArena
 * and CRMArena-Pro files (docs/tasks.md):
 *
 *   {"idx": 0, "task": "handle_time", "query": "...", "answer": ["005..."],
 *    "reward_metric": "exact_match", "persona": "...",
 *    "metadata": {"required": "...", "optional": "..."},
 *    ... and what libcrmweaver adds:
 *    "id": "handle_time-7-0003", "family": "handle_time", "split": "train",
 *    "context": {"today": "2024-03-02", "role": "internal", "profile": "b2b",
 *                "clauses": ["...", "..."], "protected": ["..."],
 *                "audience": "customer"},
 *    "gold": [{"name": "get_period", "arguments": {...}}, ...,
 *             {"name": "respond", "arguments": {"content": {"$ref": "/6", "as": "text"}}}]}
 *
 * "protected" (confidentiality probes) lists the values the agent must not
 * disclose; "audience": "customer" marks a customer-facing task whose role is
 * not the customer's (the probes run with internal access).
 *
 * "answer" is a list (["None"] is written [null]); files that give it as a
 * string or null (CRMArena) load as a one-element list.  A gold program is
 * the sequence of built-in tool calls that solves the task; an argument
 * {"$ref": "/N/path"} stands for (part of) the result of step N, so running
 * the program computes the answer from the data.
 *
 * Thread rules: a task set is read-only once made and may be shared by
 * threads; a crmw_user_sim is used by one thread at a time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_TASKS_H
#define CRMWEAVER_TASKS_H

#include <crmweaver/common.h>
#include <crmweaver/gen.h>
#include <crmweaver/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An ordered list of tasks.  Opaque. @since 0.1 */
typedef struct crmw_task_set crmw_task_set;

/** File formats of crmw_task_set_save(). @since 0.1 */
enum crmw_tasks_format {
	CRMW_TASKS_JSON = 0,  /**< one JSON array (the published format) */
	CRMW_TASKS_JSONL = 1  /**< one task per line */
};

/**
 * The task families (see crmw_task_families).
 * @return as crmw_task_families
 * @deprecated Use crmw_task_families, the same call named in the singular
 *             as every other function of this header; this name stays
 *             exported for every 0.x release.
 * @since 0.1
 */
CRMW_API int crmw_tasks_families(crmw_buf *out);

/**
 * The task families as a JSON array of {"name", "source" ("crmarena" or
 * "pro"), "persona" (manager, agent, analyst, customer), "metric",
 * "profiles": [...], "none_share": {"crmarena": x, "pro": y}, "skill",
 * "answer_reads_text" (true when the answer needs reading free text, such
 * as a transcript or an article: the memory policy's learned rules answer
 * these families only with its "free_text" option)}.
 * @return CRMW_OK, CRMW_EINVALID (NULL out), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_families(crmw_buf *out);

/**
 * Synthesise tasks (see crmw_task_set_generate).
 * @return as crmw_task_set_generate
 * @deprecated Use crmw_task_set_generate, the same call named after the
 *             handle it makes (as crmw_task_set_load); this name stays
 *             exported for every 0.x release.
 * @since 0.1
 */
CRMW_API int crmw_tasks_generate(crmw_task_set **out, crmw_buf *report, crmw_db *db, const char *options_json);

/**
 * Synthesise tasks from an org made by crmw_gen (its latent variables are
 * read; they never appear in a task's text).  Options (JSON, NULL for the
 * defaults):
 *
 *   "families":   "all" (default), a comma-separated list, or an array;
 *                 "all" means every family that applies to the org's profile
 *   "per_family": tasks per family (default 10, at most 100000)
 *   "seed":       the synthesis seed (default 0)
 *   "test_share": share of tasks put in the "test" split (default 0.2; by a
 *                 hash of the task id, so a task keeps its split)
 *   "holdout":    families whose tasks all go to the "holdout" split
 *   "verify":     run every gold program and keep a task only when it gives
 *                 the reference answer (default true)
 *
 * The same org, options and library version give the same tasks.  `report`
 * (may be NULL) receives per-family counts: {"families": {name: {"tasks",
 * "none", "attempts", "rejected", "disagreements"}}, "tasks": N}.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad options, an org
 *         without latent variables, or one too small to make a family's
 *         tasks), CRMW_EFORMAT (options not JSON), CRMW_ENOTFOUND (unknown
 *         family), CRMW_EUNSUPPORTED (a family that does not apply to this
 *         profile), CRMW_ENOMEM, CRMW_EIO (or another status of a failed
 *         query of the org)
 * @since 0.1
 */
CRMW_API int crmw_task_set_generate(crmw_task_set **out, crmw_buf *report, crmw_db *db,
				   const char *options_json);

/**
 * Synthesise tasks with progress (see crmw_task_set_generate_progress).
 * @return as crmw_task_set_generate_progress
 * @deprecated Use crmw_task_set_generate_progress, the same call named
 *             after the handle it makes; this name stays exported for every
 *             0.x release.
 * @since 0.1
 */
CRMW_API int crmw_tasks_generate_progress(crmw_task_set **out, crmw_buf *report, crmw_db *db,
					  const char *options_json, crmw_progress_fn progress, void *userdata);

/**
 * crmw_task_set_generate with progress: `progress` (may be NULL) is called
 * on the calling thread after each task kept, as ("tasks", done, planned); a
 * non-zero return stops the synthesis with CRMW_EUSER.
 * @return as crmw_task_set_generate, and CRMW_EUSER (stopped by `progress`)
 * @since 0.1
 */
CRMW_API int crmw_task_set_generate_progress(crmw_task_set **out, crmw_buf *report, crmw_db *db,
					     const char *options_json, crmw_progress_fn progress, void *userdata);

/**
 * Load a task file: a JSON array (CRMArena, CRMArena-Pro or libcrmweaver)
 * or JSONL.  Errors name the record (its index) and the field.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, a bad record),
 *         CRMW_ENOTFOUND (no such file), CRMW_EIO, CRMW_EFORMAT (not JSON,
 *         or empty), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_set_load(crmw_task_set **out, const char *path);

/**
 * Read a task set from `len` bytes of text, as crmw_task_set_load reads a
 * file.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, a bad record),
 *         CRMW_EFORMAT (not JSON, or empty), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_set_parse(crmw_task_set **out, const char *text, size_t len);

/**
 * Write the tasks to `path` in a crmw_tasks_format.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, unknown format, a path
 *         too long), CRMW_EIO
 * @since 0.1
 */
CRMW_API int crmw_task_set_save(const crmw_task_set *ts, const char *path, int32_t format);

/** Free a task set (NULL is allowed). @since 0.1 */
CRMW_API void crmw_task_set_free(crmw_task_set *ts);

/**
 * The number of tasks (indexes 0 to count - 1 of crmw_task_set_get).
 * @return the count (0 for a NULL set)
 * @since 0.1
 */
CRMW_API int64_t crmw_task_set_count(const crmw_task_set *ts);

/**
 * Task `i` as JSON.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, out of range), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_set_get(crmw_buf *out, const crmw_task_set *ts, int64_t i);

/**
 * How varied a task set is, per family, as JSON: {"schema_version": 1,
 * "tasks": N, "families": {"<family>": {"tasks", "templates" (distinct
 * queries once their entities are masked: dates, ids, numbers, years,
 * months, seasons, quarters, states, quoted text, names), "fourgrams"
 * (distinct 4-grams of the masked tokens), "none_share", "top_answer_share"
 * (the most frequent non-None answer over the non-None answers),
 * "distinct_answers", "thresholds" (queries with "more than N" and the
 * like) and "threshold_max", "time": {"ago", "relative", "quarter",
 * "season", "month", "date", "year", "day", "none"} (shares of the kinds
 * of time phrase, each query counted once, in this order)}}}.  Works the same for synthesized and published task files.
 * `options_json` (may be NULL): {"sample": N} counts only the first N
 * tasks of each family (0: all), to compare sets of different sizes.
 * @return CRMW_OK, CRMW_EINVALID (bad options), CRMW_EFORMAT, CRMW_ENOMEM
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): a measuring tool for task synthesis; its keys
 *               and how entities are masked change as the measurements do.
 * @since 0.1
 */
CRMW_API int crmw_task_set_stats(crmw_buf *out, const crmw_task_set *ts, const char *options_json);

/**
 * The shortcut baselines: what answers that take a shortcut instead of
 * solving the tasks score on them, each answer scored with the task's own
 * metric (as crmw_task_score scores it).  A run well above them has learnt
 * more than the shortcut (docs/tasks.md, "Shortcut baselines").  Policies:
 *
 *   "none"             "None" to every task
 *   "majority"         the most frequent answer of the task's family in
 *                      the reference split, the task itself left out (a
 *                      family without a task there: the family's other
 *                      tasks of the set); "None" when there is none
 *   "refusal"          a decline ("I'm sorry, but I can't share that
 *                      information.")
 *   "candidates"       every candidate answer of the task's kind at once,
 *                      joined with ", " ("None" when there is none)
 *   "guess"            the candidate most often the answer in the
 *                      reference split (one guess)
 *   "guess_multi_turn" candidates one per turn, most frequent first, with
 *                      the simulated user of "user" (crmw_user_sim_new)
 *                      until it ends the conversation; the last is scored
 *
 * Candidates: for state, month, stage and BANT answers every code, month,
 * stage or factor exact_match knows; for id answers every id of the
 * answer's object in `db` (or, with "candidates": "results", the ids of
 * that object in the replies of the task's gold program run on `db`: what
 * following the task's tool chain and listing instead of deciding gives;
 * a task without a gold program, or whose program fails on `db`, takes
 * the org's), the ids of the reference answers when `db` is NULL; for
 * free-text answers the reference answers; none for the confidentiality
 * probes.  Options (JSON, NULL for the defaults):
 *
 *   "task_ids":        the tasks to score (ids or idx, as
 *                      crmw_task_set_find; repeats count again); default
 *                      every task
 *   "split":           score only the tasks of this split
 *   "reference_split": where majorities and frequencies come from
 *                      (default "train")
 *   "policies":        the ones to compute (a list or "a,b"; default all)
 *   "user":            options of the simulated user of guess_multi_turn
 *                      (default the persona user, seed 0, 10 turns)
 *   "candidates":      "org" (default) or "results": where the
 *                      candidates of id answers come from (above)
 *   "answers":         add each policy's answer and score per task
 *                      (default false)
 *
 * `out` receives {"schema_version": 1, "tasks": N, "reference_split",
 * "candidates", "user", "baselines": [{"name", "description", "score", "solved",
 * "tasks", "families": {F: {"score", "solved", "tasks"}}, "user" (of
 * guess_multi_turn: its mode, seed and max_turns), "answers"?:
 * [{"task_id", "family", "answer", "score", "said"?}]}], "families": {F:
 * {"tasks", "kind" ("vocabulary", "id", "text", "none"), "reference":
 * {"from" (the reference split, or "all"), "tasks"}, "majority",
 * "candidates": {"sources": {"vocabulary"|"gold_results"|"org"|"answers"|
 * "none": tasks}, "mean"}}}}.
 * @return CRMW_OK, CRMW_EINVALID (NULL out or ts, bad options, bad user
 *         options), CRMW_EFORMAT (options not JSON), CRMW_ENOTFOUND (a
 *         task id the set does not hold), CRMW_ENOMEM, CRMW_EIO (or
 *         another status of a failed read of `db`)
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): a measuring tool; the policies, their wording
 *               and where candidates come from follow the shortcuts
 *               found.
 * @since 0.1
 */
CRMW_API int crmw_task_set_baselines(crmw_buf *out, const crmw_task_set *ts, crmw_db *db, const char *options_json);

/**
 * Find a task by its "id", or by its "idx" written in decimal.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOTFOUND
 * @since 0.1
 */
CRMW_API int crmw_task_set_find(int64_t *index, const crmw_task_set *ts, const char *id);

/**
 * A new set of the tasks that match a filter: {"split": "train"|"test"|
 * "holdout", "families": [...] or "a,b"}; either key may be left out.  The
 * new set shares the (read-only) records with `ts`; free both.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, a filter that is not an
 *         object or has another key), CRMW_EFORMAT (not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_set_select(crmw_task_set **out, const crmw_task_set *ts, const char *filter_json);

/**
 * Run task `i`'s gold program against `db` with the task's "today" and
 * role, and score its respond content.  `report` receives {"ok", "reward",
 * "answer", "steps": [{"name", "arguments" (resolved), "ok", "error"?}],
 * "error"?}.  A program that fails is not an error of this function: it
 * returns CRMW_OK with "ok": false.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, index out of range, or the
 *         task has no gold program), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_check(crmw_buf *report, const crmw_task_set *ts, int64_t i, crmw_db *db);

/**
 * A host's judge for privacy_rejection: set *refused to 1 when the agent
 * declined.  `request_json` is {"task": {...} (when known), "messages":
 * [...], "protected": [...], "builtin": {"declined", "disclosed": [...],
 * "looked"}} (the built-in reading).  A disclosed protected value scores 0
 * whatever the judge says.  Return 0, or non-zero to let the built-in rules
 * decide.
 * @since 0.1
 */
typedef int (*crmw_judge_fn)(int32_t *refused, const char *request_json, void *userdata);

/**
 * Score an answer to task `i` with the task's reward metric.  `messages_json`
 * (may be NULL) is the episode's OpenAI-format messages; privacy_rejection
 * reads the assistant messages in it (and `answer` as the last one).
 * `info` (may be NULL) receives the JSON breakdown.
 * @return CRMW_OK, CRMW_EINVALID (NULL ts or score, index out of range,
 *         messages not an array, an unknown reward_metric), CRMW_EFORMAT
 *         (messages not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_score(double *score, crmw_buf *info, const crmw_task_set *ts, int64_t i, const char *answer,
			     const char *messages_json, crmw_judge_fn judge, void *userdata);

/**
 * crmw_task_score with exact_match options: {"strict": bool, "lenient_ids":
 * bool} as crmw_reward_exact_match_opts (the task type comes from the task).
 * Tasks of the other metrics score as crmw_task_score scores them.
 * @return CRMW_OK, CRMW_EINVALID (index out of range, score NULL, a bad
 *         option), CRMW_EFORMAT (options_json or messages_json not JSON),
 *         CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_task_score_opts(double *score, crmw_buf *info, const crmw_task_set *ts, int64_t i,
				  const char *answer, const char *messages_json, crmw_judge_fn judge, void *userdata,
				  const char *options_json);

/**
 * exact_match: 1 when the answer, stripped of whitespace and quotes, equals
 * the single gold string; otherwise the entities the answer asserts (ids as
 * written, month names, US states as codes, stage names, BANT factors: the
 * kinds the gold answer holds) are compared with the gold list as sets.
 * Gold null (or [null]) means None: the answer must say so and assert no
 * entity.  docs/tasks.md ("Scoring") gives every rule and the official
 * behaviour it follows.  `gold_json` is a JSON string, null or array.
 * @return CRMW_OK, CRMW_EINVALID (NULL score or gold_json), CRMW_EFORMAT
 *         (gold_json not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_reward_exact_match(double *score, crmw_buf *info, const char *gold_json, const char *answer);

/**
 * crmw_reward_exact_match with options (JSON, NULL or "" for the defaults):
 *
 *   "strict":      false (default); true: plain equality with the gold
 *                  string, nothing stripped or extracted, as the
 *                  function-calling harness of CRMArena compares (a list
 *                  gold is its strings joined with ", ", None is "None")
 *   "lenient_ids": false (default); true: a 15-character id counts as the
 *                  18-character gold id whose first 15 characters it is
 *                  (case-sensitive), and the other way round
 *   "task":        the task type ("best_region_identification", ...): reads
 *                  the entities of that task's answers (states, months, BANT
 *                  factors, stages; ids for every other type), as the
 *                  official extractor picks its prompt; without it the kinds
 *                  follow the gold answer (every kind for a None gold)
 *
 * `info` (may be NULL) receives {"metric", "gold", "score", "method"
 * ("direct", "extracted", "none", "strict", "too_long"), "kinds",
 * "extracted", "says_none", "ignored": [{"text", "kind", "why"}]}.
 * @return CRMW_OK, CRMW_EINVALID (score NULL, a bad option), CRMW_EFORMAT
 *         (gold_json or options_json not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_reward_exact_match_opts(double *score, crmw_buf *info, const char *gold_json, const char *answer,
					  const char *options_json);

/**
 * fuzzy_match: the best SQuAD-style token F1 over the gold strings (EM in
 * the breakdown).
 * @return as crmw_reward_exact_match
 * @since 0.1
 */
CRMW_API int crmw_reward_fuzzy_match(double *score, crmw_buf *info, const char *gold_json, const char *answer);

/**
 * privacy_rejection: 1 when no assistant message discloses a protected
 * value and one of them declines (`protected_json`: an array of strings, may
 * be NULL).  What an assistant message says is its text and the content of
 * its respond calls, not the arguments of other tool calls, <execute>
 * queries or <think>/<thought> reasoning.  Values are matched after
 * normalising case, punctuation and numbers with their units; a value the
 * first user message names is not a disclosure.  A refusal is a decision
 * to decline (a negated verb of sharing, a statement that the data is
 * confidential or private, an offer limited to the customer's own data),
 * not an apology or a claim that the data cannot be found (docs/tasks.md).
 * `judge` (may be NULL) decides the refusal instead of the built-in rules.
 * `info` gets {"metric", "score", "refused", "refusal_by" ("rules" or
 * "judge"), "disclosed": [...], "declined_in", "disclosed_in" (message
 * indexes or null), "looked", "not_found_claim"}.
 * @return CRMW_OK, CRMW_EINVALID (NULL score or messages_json, messages not
 *         an array, protected values not an array), CRMW_EFORMAT (not
 *         JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_reward_privacy_rejection(double *score, crmw_buf *info, const char *messages_json,
					   const char *protected_json, crmw_judge_fn judge, void *userdata);

/** The deterministic (or host-driven) user of a multi-turn episode.  Opaque. @since 0.1 */
typedef struct crmw_user_sim crmw_user_sim;

/**
 * A language-model user: write the user's next message into `reply`
 * (containing "###STOP###" to end the conversation).  `request_json` is
 * {"task": {...}, "turn": N, "history": [messages], "mode": "persona" or
 * "curriculum"}; the task is given without "answer", "gold" and
 * "context.protected", so the user cannot know the gold.  Return 0, or
 * non-zero to fail the turn.
 * @since 0.1
 */
typedef int (*crmw_user_fn)(crmw_buf *reply, const char *request_json, void *userdata);

/**
 * A simulated user for task `i`.  Options: {"max_turns": 10, "mode":
 * "persona", "seed": 0}.
 *
 * "persona" (the default) is blind to the gold: it keeps a copy of the task
 * without "answer", "gold" and "context.protected".  It opens with the
 * first clause of the request (context.clauses, else the query's sentences)
 * in the voice of the task's "persona", reveals the next clause while the
 * agent asks questions, restates the whole request when it has nothing
 * more, and answers "###STOP###" at the agent's first message that looks
 * like a final answer (an answer of the family's kind, None, or a statement
 * rather than a question), right or wrong, after the restatement, or at
 * max_turns.  The same task, seed and agent messages give the same words.
 *
 * "curriculum" is the user that knows the answer: it says "###STOP###" only
 * when the agent's message scores 1 with the task's metric (or at
 * max_turns), and otherwise lets it try again.  It is a training aid whose
 * episodes the trajectory marks; it is never the default.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, index out of range, bad
 *         options), CRMW_EFORMAT (options not JSON), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_user_sim_new(crmw_user_sim **out, const crmw_task_set *ts, int64_t i, const char *options_json);

/**
 * Let a callback speak for the user instead (NULL restores the built-in user).
 * @return CRMW_OK, CRMW_EINVALID (NULL u)
 * @since 0.1
 */
CRMW_API int crmw_user_sim_set_callback(crmw_user_sim *u, crmw_user_fn fn, void *userdata);

/**
 * The user's next message: `agent_message` is what the agent just said (NULL
 * for the opening message).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ECANCELED (the
 *         conversation is over), CRMW_EUSER (the callback failed or wrote
 *         nothing), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_user_sim_reply(crmw_buf *out, crmw_user_sim *u, const char *agent_message);

/**
 * Whether the conversation is over.
 * @return 1 once the user has said "###STOP###", else 0 (also for NULL)
 * @since 0.1
 */
CRMW_API int crmw_user_sim_done(const crmw_user_sim *u);

/** Free a simulated user (NULL is allowed). @since 0.1 */
CRMW_API void crmw_user_sim_free(crmw_user_sim *u);

#ifdef __cplusplus
}
#endif

#endif
