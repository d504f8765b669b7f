/*
 * crmweaver/env.h: the RL environment.  Text in, text out: reset gives the
 * first observation (the system and user messages and the tool specs),
 * step takes the model's raw output, runs its tool calls and gives the next
 * messages, the reward and the done flag.  The environment never tokenises;
 * the trainer owns tokens.
 *
 * A pool holds what environments share: the org (opened read-only once per
 * thread that runs them), the agent options, the task set to reset from,
 * the shared memory, the role its episodes run under (crmw_env_pool_set_role;
 * without one the host asked for internal access, which a task's
 * "context.role" can only narrow) and a worker pool for batch steps.  An environment is a
 * small handle (an episode's messages and state); thousands may exist at
 * once.  Threads: different environments may be reset and stepped from
 * different threads at the same time; one environment is used by one thread
 * at a time.  Free every environment before its pool.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_ENV_H
#define CRMWEAVER_ENV_H

#include <crmweaver/access.h>
#include <crmweaver/common.h>
#include <crmweaver/memory.h>
#include <crmweaver/tasks.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What environments share.  Opaque. @since 0.1 */
typedef struct crmw_env_pool crmw_env_pool;

/** One environment (one episode at a time).  Opaque. @since 0.1 */
typedef struct crmw_env crmw_env;

/**
 * A pool over the org database at `org_path`.  Options (JSON, may be NULL):
 *   {"agent": {...},          the options of crmw_agent_new (mode, tools,
 *                             max_turns, multi_turn, memory.k, ...)
 *    "workers": 1,            threads of crmw_env_step_batch (0 = the
 *                             calling thread only; at most 256)
 *    "memory": "off" | "retrieve" | "write"}
 * "memory" is the policy for the store given to crmw_env_pool_set_memory:
 * "retrieve" (the default) puts guidelines in the system prompt at reset and
 * moves their counters with the reward; "write" also writes guidelines back
 * from successful episodes (from the trajectory: no model words them).
 * @return CRMW_OK, CRMW_EINVALID (NULL argument, bad options, bad agent
 *         options), CRMW_EFORMAT (options not JSON), CRMW_ENOTFOUND (no
 *         org at `org_path`, an unknown tool set), CRMW_ECORRUPT (not an org
 *         database), CRMW_EIO, CRMW_ENOMEM (also: a worker thread could not
 *         be started)
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): the pool's options (the memory policy, the worker
 *               pool, how agent options are folded in) follow the RL
 *               trainers being integrated.  The calls on a pool and its
 *               environments (crmw_env_new, reset, step, trajectory, ...)
 *               are stable.
 * @since 0.1
 */
CRMW_API int crmw_env_pool_new(crmw_env_pool **out, const char *org_path, const char *options_json);

/** Free a pool (NULL is accepted) after its environments. @since 0.1 */
CRMW_API void crmw_env_pool_free(crmw_env_pool *p);

/** The pool's last error message. @since 0.1 */
CRMW_API const char *crmw_env_pool_errmsg(const crmw_env_pool *p);

/**
 * The tasks reset picks from by "index" or "seed" (borrowed: they must
 * outlive the pool; NULL removes them).
 * @return CRMW_OK, CRMW_EINVALID (NULL pool)
 * @since 0.1
 */
CRMW_API int crmw_env_pool_set_tasks(crmw_env_pool *p, const crmw_task_set *tasks);

/**
 * The shared memory (borrowed; thread-safe).  NULL removes it.  How it is
 * used is the pool's "memory" option.
 * @return CRMW_OK, CRMW_EINVALID (NULL pool; or the store records the
 *         embedder of the agents' backend with another dimension),
 *         CRMW_EBUSY (environments are being reset or stepped at this
 *         moment)
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): how shared memories take part in rollouts
 *               (retrieval at reset, write-back, counters moved by the
 *               reward) is a research question still open.
 * @since 0.1
 */
CRMW_API int crmw_env_pool_set_memory(crmw_env_pool *p, crmw_memory *mem);

/**
 * The role every episode of the pool runs under (a new reference is kept;
 * NULL: none, which is the host asking for internal access).  A task's
 * "context.role" can only narrow it (docs/access.md).  The role may come
 * from any handle on the same org (a role holds no connection).  Episodes
 * already reset keep the role they started with; the next reset uses this
 * one.
 * @return CRMW_OK, CRMW_EINVALID (NULL pool), CRMW_EBUSY (environments are
 *         being reset or stepped at this moment)
 * @since 0.1
 */
CRMW_API int crmw_env_pool_set_role(crmw_env_pool *p, const crmw_role *role);

/**
 * A new environment of the pool, with no episode yet.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_env_new(crmw_env **out, crmw_env_pool *p);

/** Close an environment (NULL is accepted). @since 0.1 */
CRMW_API void crmw_env_free(crmw_env *e);

/** The environment's last error message. @since 0.1 */
CRMW_API const char *crmw_env_errmsg(const crmw_env *e);

/**
 * Start an episode.  `reset_json` is {"task": {...}} (a task record),
 * {"index": N} or {"seed": S} (a task of the pool's set: index S modulo its
 * size after mixing the seed), with optional "episode_id" and "tools"
 * (false leaves the tool specs out of the observation).  `obs` receives
 *   {"task_id", "family", "episode_id", "turn": 0,
 *    "messages": [system, user], "tools": [OpenAI tool specs]}
 * An episode in progress is abandoned.
 * @return CRMW_OK, CRMW_EINVALID (bad task or reset), CRMW_ESTATE (no task
 *         set for index or seed), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_env_reset(crmw_buf *obs, crmw_env *e, const char *reset_json);

/**
 * One step: the model's raw output (any tool-call dialect, or an OpenAI or
 * Anthropic message as JSON).  `out` receives
 *   {"messages": [the output as an assistant message, then the tool (or
 *                 simulated user) messages it produced],
 *    "reward": number or null (null until done; also for tasks without an
 *              answer), "done": bool,
 *    "info": {"turn", "actions": [{"name", "status"}], "format_error"?,
 *             "end_reason"?, "reward_info"?, "answer"?}}
 * Bad output is not an error: it becomes a format-error observation for the
 * model.  A step after the end is CRMW_ESTATE.
 * @return CRMW_OK, CRMW_ESTATE, CRMW_EINVALID, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_env_step(crmw_buf *out, crmw_env *e, const char *output, size_t len);

/**
 * Step `n` environments (distinct) at once over the pool's workers:
 * outputs[i] (of lens[i] bytes) goes to envs[i] and its result to outs[i].
 * Returns when all are done; rcs[i] (may be NULL) gets each step's status.
 * @return CRMW_OK when every step returned CRMW_OK, else the status of the
 *         first step (in index order) that failed (see crmw_env_step);
 *         CRMW_EINVALID (NULL argument, negative n, an environment of
 *         another pool: then nothing ran), CRMW_ENOMEM
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): the batch interface (parallel arrays, the pool's
 *               own worker threads) may give way to asynchronous batches.
 * @since 0.1
 */
CRMW_API int crmw_env_step_batch(crmw_env_pool *p, crmw_env *const *envs, const char *const *outputs,
				 const size_t *lens, crmw_buf *outs, int *rcs, int32_t n);

/**
 * The episode's trajectory (the agent's JSONL line), also before the end.
 * @return CRMW_OK, CRMW_EINVALID (NULL argument), CRMW_ESTATE (no episode
 *         yet), CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_env_trajectory(crmw_buf *out, crmw_env *e);

/**
 * Group statistics for GRPO-style training: the mean and the (population)
 * standard deviation of `n` rewards and each one's advantage (reward -
 * mean) / (std + 1e-6), 0 when std is 0.  `out` receives {"size", "mean",
 * "std", "advantages": [...]}; `advantages` (may be NULL) receives them too.
 * `out` may be NULL as well.
 * @return CRMW_OK, CRMW_EINVALID (negative n, NULL rewards with n > 0),
 *         CRMW_ENOMEM
 * @experimental May change in a minor release (docs/abi.md, "Stability
 *               tiers"): it computes GRPO's advantage only (population
 *               standard deviation, 1e-6 added); other estimators (no
 *               normalisation, leave-one-out) would need options.
 * @since 0.1
 */
CRMW_API int crmw_group_stats(crmw_buf *out, double *advantages, const double *rewards, int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_ENV_H */
