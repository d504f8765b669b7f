/*
 * lib/agent/prompt.c: the system prompts (internal, external and
 * privacy-aware; tools and ReAct modes) and the distillation request.  The
 * wording is this project's own.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "agent/internal.h"
#include "schema/internal.h"

#include <stdlib.h>
#include <string.h>

static const char ROLE_INTERNAL[] =
	"You are a CRM analyst and service expert who works inside the company's Salesforce org. "
	"Colleagues (service agents, managers and analysts) bring you questions; you answer them from the "
	"records of the org, never from guesses.";

static const char ROLE_EXTERNAL[] =
	"You are the company's customer support agent, talking with one customer who is logged in. "
	"Help them with their own orders, cases and questions about products and policies. "
	"You may only use and share what this customer is entitled to see.";

static const char PRIVACY[] =
	"# Confidentiality\n"
	"- Never disclose another customer's personal data (names, contact details, purchases, cases).\n"
	"- Never disclose internal operations data: agents' performance, handle times, transfer counts, "
	"sales figures, conversion rates, pipeline details.\n"
	"- Never disclose confidential knowledge: internal pricing rules, discount limits, approval "
	"thresholds, margins.\n"
	"- When asked for any of these, say politely that you cannot share it, and do not hint at the value.\n";

static const char TOOLS_FORMAT[] =
	"# How to work\n"
	"- Look up what you need with the tools; read their results carefully. Call one or more tools per "
	"reply, using the tool-calling format you were given.\n"
	"- When you know the answer, call the respond tool with it (or, without tools left to call, reply "
	"with the answer alone). Give only what the question asks for, in the form it asks for "
	"(an Id, a name, a month, a number); answer None when the question allows it and nothing "
	"qualifies.\n";

static const char TOOLS_FORMAT_TEXT[] =
	"# How to work\n"
	"- Look up what you need with the tools; read their results carefully.\n"
	"- Every reply must be one or more tool calls. When you know the answer, call the respond tool with "
	"it. Give only what the question asks for, in the form it asks for (an Id, a name, a month, a "
	"number); answer None when the question allows it and nothing qualifies.\n";

static const char REACT_FORMAT[] =
	"# How to work\n"
	"Each of your replies has two parts:\n"
	"1. <thought>your reasoning about what to do next</thought>\n"
	"2. exactly one action, either\n"
	"   <execute>one SOQL or SOSL query</execute> to read the org (the result comes back to you), or\n"
	"   <respond>the final answer</respond> when you know it.\n"
	"Give only what the question asks for, in the form it asks for (an Id, a name, a month, a number); "
	"answer None when the question allows it and nothing qualifies. SOQL follows Salesforce's dialect: "
	"relationship paths (Owner.Name), date literals (LAST_N_DAYS:30), aggregates with GROUP BY.\n";

/* Append a section "# title\n<text>\n" when text is not empty. */
static int section(crmw_buf *b, const char *title, const char *text)
{
	if (!text || !*text)
		return CRMW_OK;
	int rc = crmw__buf_printf(b, "\n# %s\n", title);
	rc = rc ? rc : crmw__buf_puts(b, text);
	if (!rc && text[strlen(text) - 1] != '\n')
		rc = crmw__buf_putc(b, '\n');
	return rc;
}

static bool view_object(void *ud, const char *object)
{
	return crmw__role_reads(ud, object);
}

static bool view_field(void *ud, const char *object, const char *field)
{
	return crmw__role_sees(ud, object, field);
}

/* The schema text as `role` sees it: the agent's whole text for a role
 * that reads everything, else rendered for the role (no object or field
 * it may not read is named; kept for the next episode of the same role). */
static const char *schema_text(crmw_agent *a, const crmw_role *role)
{
	if (!a->schema_text || !role || role->unrestricted)
		return a->schema_text;
	if (a->view_text && a->view_serial == role->serial)
		return a->view_text;
	free(a->view_text);
	a->view_text = NULL;
	crmw__schema_view v = {view_object, view_field, (void *)role};
	crmw_buf b = CRMW_BUF_INIT;
	if (crmw__schema_render_view(&b, (crmw_schema *)crmw_db_schema(a->db), NULL, &v)) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	a->view_text = b.data;
	a->view_serial = role->serial;
	return a->view_text;
}

char *crmw__system_prompt(crmw_agent *a, const json_t *task, bool external, const json_t *guidelines,
			  const crmw_role *role)
{
	const char *schema = schema_text(a, role);
	if (a->schema_text && !schema)
		return NULL;
	crmw_buf b = CRMW_BUF_INIT;
	int rc = crmw__buf_puts(&b, external ? ROLE_EXTERNAL : ROLE_INTERNAL);
	rc = rc ? rc : crmw__buf_putc(&b, '\n');
	if (!rc && a->o.privacy_aware)
		rc = crmw__buf_printf(&b, "\n%s", PRIVACY);
	if (!rc) {
		const char *fmt = a->o.mode == MODE_REACT ? REACT_FORMAT : a->o.text_answer ? TOOLS_FORMAT : TOOLS_FORMAT_TEXT;
		rc = crmw__buf_printf(&b, "\n%s", fmt);
	}
	if (!rc && schema)
		rc = section(&b, "The org's objects and fields", schema);
	const json_t *ctx = json_object_get(task, "context");
	const char *today = json_string_value(json_object_get(ctx, "today"));
	const json_t *md = json_object_get(task, "metadata");
	const char *req = json_string_value(json_object_get(md, "required"));
	if (!rc && (req || today)) {
		rc = crmw__buf_puts(&b, "\n# Context of this task\n");
		if (!rc && req)
			rc = crmw__buf_puts(&b, req);
		if (!rc && req && *req && req[strlen(req) - 1] != '\n')
			rc = crmw__buf_putc(&b, '\n');
		if (!rc && today && (!req || !strstr(req, today)))
			rc = crmw__buf_printf(&b, "- Today's date: %s\n", today);
	}
	if (!rc)
		rc = section(&b, "Domain details", json_string_value(json_object_get(md, "optional")));
	if (!rc && json_array_size(guidelines) > 0) {
		rc = crmw__buf_puts(&b, "\n# Guidelines from similar tasks solved before\n"
					"They describe steps that worked for similar questions; the entities of this task "
					"differ, so check each step against this task.\n");
		size_t i;
		json_t *g;
		json_array_foreach(guidelines, i, g) {
			const char *title = json_string_value(json_object_get(g, "title"));
			const char *text = json_string_value(json_object_get(g, "text"));
			if (rc)
				break;
			rc = title && *title ? crmw__buf_printf(&b, "%zu. %s: %s\n", i + 1, title, text ? text : "")
					     : crmw__buf_printf(&b, "%zu. %s\n", i + 1, text ? text : "");
		}
	}
	if (!rc)
		rc = section(&b, "Further instructions", a->o.system_prompt);
	if (rc) {
		crmw_buf_dispose(&b);
		return NULL;
	}
	return b.data;
}

json_t *crmw__distill_messages(const json_t *task, const char *steps_text, const char *answer)
{
	crmw_buf u = CRMW_BUF_INIT;
	int rc = crmw__buf_printf(&u,
				  "A CRM agent solved this task.\n\nTask: %s\n\nWhat it did:\n%s\nIts answer: %s\n\n"
				  "Write one guideline, at most five sentences, that would help an agent solve similar "
				  "tasks about other records: which tools or queries to use in which order and what to "
				  "watch out for. Do not repeat this task's ids, names, dates or answer. Reply with the "
				  "guideline only.",
				  json_string_value(json_object_get(task, "query")), steps_text, answer ? answer : "");
	json_t *msgs = rc ? NULL
			  : json_pack("[{s:s, s:s}, {s:s, s:s}]", "role", "system", "content",
				      "You distil reusable guidelines from solved CRM tasks.", "role", "user", "content",
				      u.data);
	crmw_buf_dispose(&u);
	return msgs;
}
