/*
 * lib/tasks/phrase.c: who asks, and in what voice.  The personas of the
 * synthesized tasks (the three roles of CRMArena on its own profile; work
 * styles of employees and kinds of customers on the Pro profiles, as
 * CRMArena-Pro has them) and the words each voice puts before a request.
 * All sentences are this project's own.
 *
 * A persona carries a voice (brisk, warm, careful, formal or plain, the
 * voices of the simulated user, lib/tasks/usersim.c, which reads them from
 * the persona's words); about half of the requests open with a sentence in
 * that voice, so that the same question reads differently from one asker
 * to the next.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tasks/synth.h"

#include <stdio.h>
#include <string.h>

enum { VO_PLAIN, VO_BRISK, VO_WARM, VO_CAREFUL, VO_FORMAL, VO_N };

typedef struct persona {
	const char *text;
	int voice;
} persona;

/* CRMArena's three askers, on its own profile. */
static const persona managers[] = {
	{"You are a support operations manager who reviews the team's numbers every week.", VO_FORMAL},
	{"You are a busy service team lead who wants quick, direct answers.", VO_BRISK},
	{"You are a contact-centre manager who cares about accurate, fair metrics.", VO_CAREFUL},
	{"You are a customer care director preparing a quarterly review for the executive team.", VO_FORMAL},
	{"You are a friendly team lead who coaches new agents and likes to know how they are doing.", VO_WARM},
	{"You are a workforce manager who plans shifts and needs the figures fast.", VO_BRISK},
};
static const persona agents[] = {
	{"You are a customer support agent who checks the records before answering.", VO_CAREFUL},
	{"You are a careful service agent who follows the company's policies to the letter.", VO_CAREFUL},
	{"You are a quality reviewer who audits agents' conversations with customers.", VO_CAREFUL},
	{"You are a support specialist handling escalations in a hurry.", VO_BRISK},
	{"You are a friendly senior agent who helps colleagues with tricky cases.", VO_WARM},
	{"You are a compliance lead who reports policy breaches to the director.", VO_FORMAL},
};
static const persona analysts[] = {
	{"You are a data analyst who studies case trends for the product team.", VO_FORMAL},
	{"You are a business analyst who reports on regional service quality.", VO_FORMAL},
	{"You are an operations analyst who looks for patterns in customer issues.", VO_FORMAL},
	{"You are a quality analyst preparing a precise report on product defects.", VO_CAREFUL},
	{"You are a junior analyst who needs a quick figure for a dashboard.", VO_BRISK},
	{"You are a curious analyst who enjoys digging into what customers complain about.", VO_WARM},
};
/* Work styles of the people who ask on the Pro profiles. */
static const persona employees[] = {
	{"You are methodical and thorough, and you like every figure traced back to its records.", VO_CAREFUL},
	{"You are results-driven and efficient, and you want the answer without detours.", VO_BRISK},
	{"You are friendly and collaborative, and you like to hear from colleagues before you decide.", VO_WARM},
	{"You are a strategic planner who reviews how the business is doing each quarter.", VO_FORMAL},
	{"You are detail-oriented and accurate, and you double-check anything you report.", VO_CAREFUL},
	{"You are always short of time and prefer brief, direct answers.", VO_BRISK},
	{"You are curious and enjoy learning how your customers and colleagues work.", VO_WARM},
	{"You are an operations lead who reports to the sales director every Monday.", VO_FORMAL},
	{"You are cautious about change and want evidence before anything is updated.", VO_CAREFUL},
	{"You are a fast-moving closer who cares about hitting the quarter's target.", VO_BRISK},
	{"You are customer-centric and care about each buyer's satisfaction.", VO_WARM},
	{"You are a budget owner who reviews spending and return on every deal.", VO_FORMAL},
	{"You are process-minded and want the CRM kept exactly as the policies say.", VO_CAREFUL},
	{"You are pragmatic and keep things simple.", VO_PLAIN},
	{"You are new to the team and still learning how the sales process works.", VO_PLAIN},
	{"You are a hands-on manager who coaches reps on their pipeline.", VO_FORMAL},
};
/* The customers who ask. */
static const persona customers[] = {
	{"You are a busy customer who wants a quick, straightforward answer.", VO_BRISK},
	{"You are a first time buyer who is not yet sure how things work.", VO_WARM},
	{"You are a loyal customer who has bought from the company for years.", VO_WARM},
	{"You are a cautious customer who needs reassurance before buying again.", VO_CAREFUL},
	{"You are an impatient customer whose last order went wrong.", VO_BRISK},
	{"You are a price-conscious shopper comparing offers from several shops.", VO_PLAIN},
	{"You are a technical buyer who reads every specification in detail.", VO_CAREFUL},
	{"You are a procurement officer at a mid-sized company.", VO_FORMAL},
	{"You are a chatty customer who enjoys a friendly conversation.", VO_WARM},
	{"You are a sceptical customer who wants precise facts, not promises.", VO_CAREFUL},
	{"You are a returning customer in a hurry between meetings.", VO_BRISK},
	{"You are an IT director who has to justify every purchase to the board.", VO_FORMAL},
	{"You are a curious customer who likes to know the details.", VO_WARM},
	{"You are a customer contacting support for the first time.", VO_PLAIN},
	{"You are a small business owner who buys for a team of ten.", VO_FORMAL},
	{"You are a frustrated customer who has had trouble before.", VO_BRISK},
	{"You are a careful shopper who keeps every receipt.", VO_CAREFUL},
	{"You are a student on a tight budget.", VO_PLAIN},
	{"You are a regional manager buying for several sites.", VO_FORMAL},
	{"You are a friendly regular who knows the support team by name.", VO_WARM},
};

/* Sentences a voice opens a request with: for employees, then customers. */
static const char *const leads_staff[VO_N] = {
	"",
	"[Quick one.|Short question.|I'm in a hurry.|Straight to it.|Need this fast.|Keeping it brief.|One quick "
	"check.]",
	"[Hi!|Hi there!|Hope your day is going well.|Thanks in advance for the help.|Hello again!|Could you help me "
	"with something?]",
	"[I want to get this exactly right.|Please be precise here.|I'd like a careful answer.|Accuracy matters "
	"here.|I need a number I can defend.|Please check this against the records.]",
	"[I'm preparing a review for leadership.|This is for the weekly operations report.|I need this for a status "
	"report.|I'm putting together the quarterly review.|This goes into a dashboard for the directors.|I'm "
	"reviewing the team's performance.]",
};
static const char *const leads_customer[VO_N] = {
	"",
	"[Quick question.|I don't have much time.|Straight to the point.|Short one.]",
	"[Hi!|Hello there!|Hi, hope you're well!|Good morning!|Thanks for helping me out.]",
	/* parenthesised: one element written on two lines (clang's -Wstring-concatenation) */
	("[I want to be sure about this.|Please give me an exact answer.|I'd like to get this right.|I need a "
	 "precise answer.]"),
	"[Good afternoon.|Hello.|I have a query on behalf of my company.|I'm writing for our purchasing team.]",
};

void crmw__syn_voice(synth *s, draft *d, const char *kind)
{
	const persona *list = employees;
	size_t n = CRMW_ARRAY_LEN(employees);
	bool customer = strcmp(kind, "customer") == 0;
	if (customer) {
		list = customers;
		n = CRMW_ARRAY_LEN(customers);
	} else if (s->profile == 1 && strcmp(kind, "manager") == 0) {
		list = managers;
		n = CRMW_ARRAY_LEN(managers);
	} else if (s->profile == 1 && strcmp(kind, "agent") == 0) {
		list = agents;
		n = CRMW_ARRAY_LEN(agents);
	} else if (s->profile == 1) {
		list = analysts;
		n = CRMW_ARRAY_LEN(analysts);
	}
	const persona *p = &list[rng_below(&d->r, (uint32_t)n)];
	d->persona = p->text;
	d->lead[0] = '\0';
	const char *tmpl = (customer ? leads_customer : leads_staff)[p->voice];
	if (!*tmpl || rng_below(&d->r, 100) >= 50)
		return;
	crmw_buf out = CRMW_BUF_INIT;
	if (crmw__render(&out, &d->r, tmpl, NULL, 0) == 0 && out.data)
		snprintf(d->lead, sizeof d->lead, "%s", out.data);
	crmw_buf_dispose(&out);
}
