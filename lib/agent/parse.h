/*
 * lib/agent/parse.h: the model-output parser (parse.c).  It turns whatever a
 * model wrote into a list of actions the agent loop executes.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_AGENT_PARSE_H
#define CRMW_AGENT_PARSE_H

#include "common/internal.h"

#include <jansson.h>

/*
 * Parse one model output.
 *
 * Input: `text` (`len` bytes) is either
 *  - a JSON assistant message: an object with "role", "content" and/or
 *    "tool_calls" (OpenAI: arguments as a JSON string, an object, or a
 *    string that itself holds a JSON string, i.e. double-encoded), or with
 *    "content" as an array of Anthropic blocks ({"type":"text","text"},
 *    {"type":"thinking","thinking"}, {"type":"tool_use","id","name","input"});
 *    a bare array of Anthropic blocks, or of OpenAI tool calls, is accepted
 *    too.  "reasoning_content" is thinking.  Text found in "content" is
 *    parsed as below;
 *  - plain text, in any of these dialects (tried in this order, the first
 *    that finds a call wins; text outside calls is kept as content):
 *      hermes    <tool_call>{"name":..,"arguments":{..}}</tool_call> (also
 *                "parameters"; several blocks; glued objects inside one block
 *                "{..}{..}" or one per line are split into several calls;
 *                a missing </tool_call> at the end of the output, or before the
 *                next <tool_call>, is tolerated; a ```json fence inside
 *                a block is skipped)
 *      qwen_xml  <tool_call><function=NAME><parameter=P>value</parameter>...
 *                </function></tool_call> (values that parse as JSON are JSON,
 *                otherwise strings, trimmed of one leading/trailing newline)
 *      mistral   [TOOL_CALLS] [{"name":..,"arguments":{..}}, ...] (or one object),
 *                or the newer [TOOL_CALLS]NAME[ARGS]{..} (also with
 *                [CALL_ID]ID before [ARGS]); several markers allowed
 *      llama     the whole text (after think blocks) is one JSON object
 *                {"name":..,"parameters"|"arguments":{..}} or an array of them,
 *                optionally wrapped in ```json fences (text after the
 *                closing fence is content) or after <|python_tag|>
 *      react     CRMArena: <thought>..</thought> (kept as content),
 *                <execute>QUERY</execute>, <respond>ANSWER</respond>, and the
 *                older <submit>ANSWER</submit> (= respond); inner text is
 *                trimmed, and a ``` fence around it removed
 *      action    "Action: NAME" at the start of a line, followed by
 *                "Action Input: {json}" (or a plain string input, given as
 *                {"input": "..."}); without an Action Input, NAME must be
 *                one word (prose like "Action: call them back" is text)
 *  Anything inside <think>..</think> (and an unterminated leading <think>)
 *  is ignored for calls and returned as "thinking".
 *
 * JSON inside calls is found with a string-aware scanner: braces and tags
 * inside JSON strings do not end a call (a "</tool_call>" inside a string
 * argument does not close the block).
 *
 * Output (*out, a new object):
 *   {"dialect": "openai"|"anthropic"|"hermes"|"qwen_xml"|"mistral"|"llama"|
 *               "react"|"action"|"text",
 *    "content": "the text outside calls and think blocks, trimmed",
 *    "thinking": "...",                        (only when there was some)
 *    "actions": [ {"type": "tool_call", "id": "...", "name": "...",
 *                  "arguments": {...}}          (always an object)
 *               | {"type": "execute", "query": "..."}
 *               | {"type": "respond", "content": "..."} ],
 *    "errors": ["..."]}                        (only when some part failed)
 *
 * Call ids: kept when the model gave them; otherwise
 * "<id_prefix><index>" with index counting calls in this output from 0.
 *
 * A call whose JSON cannot be parsed (or whose arguments are not an object,
 * or that has no name) is not an action; it adds one entry to "errors" that
 * says exactly what was wrong and what was expected, written for the model
 * to read (e.g. "The <tool_call> block 1 is not valid JSON (line 1, column
 * 23: ...). Write <tool_call>{\"name\": ..., \"arguments\": {...}}</tool_call>.").
 * At most 16 such entries are listed, then one line counts the rest.  A
 * JSON value that does not close (or does not parse) in a <tool_call> block
 * ends at the block's first raw </tool_call> (up to 8 times per output), so
 * later blocks still count.
 *
 * Never fails on any input bytes (invalid UTF-8 included: such bytes are
 * replaced by U+FFFD in strings it returns).
 * @return CRMW_OK, CRMW_EINVALID (NULL out or NULL text with len > 0),
 *         CRMW_ENOMEM
 */
typedef struct crmw__parse_opts {
	const char *id_prefix; /* NULL: "call_" */
	bool react;            /* also look for <execute>/<respond>/<submit> (default on in
	                          both modes: a tools-mode model may still write <respond>) */
} crmw__parse_opts;

int crmw__parse_output(json_t **out, const char *text, size_t len, const crmw__parse_opts *opts);

/*
 * The observation that tells the model its output could not be used: built
 * from the parse result's "errors" (or, when there were no actions and no
 * content, "empty output"), followed by a one-line reminder of the expected
 * format for `mode` ("tools": a tool call in the API's tool-calling format or
 * <tool_call>{"name":..,"arguments":{..}}</tool_call>, and the respond tool for
 * the final answer; "react": <execute>SOQL or SOSL</execute> or
 * <respond>answer</respond>).  Caller frees.
 */
char *crmw__format_error_text(const json_t *parsed, const char *mode);

/* The end (one past) of the JSON object or array starting at p, aware of
 * strings; NULL when it does not close before `end` (parse.c). */
const char *crmw__json_extent(const char *p, const char *end);

#endif
