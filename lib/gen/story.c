/*
 * A customer's account of a problem (crmw__case_story): the issue's own
 * description between sentences of context, impact, what was tried, the
 * request and a sign-off, each optional and each with its own choices, in
 * the voice of a person or of a company's team.  Case descriptions of the
 * generated orgs and the new cases of case_routing tasks are written with
 * it.  All sentences are this project's own.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gen/internal.h"

typedef struct story_part {
	int percent;      /* how often the part appears */
	const char *tmpl; /* [a|b] choices, {product} */
} story_part;

static const story_part person_before[] = {
	{55, "[I bought|I purchased|I ordered|I picked up] the {product} [a few weeks ago|last month|about two weeks "
	     "ago|recently|earlier this month|at the start of the season] [for my training|as a gift for my "
	     "[partner|daughter|son|brother]|for an upcoming trip|to replace an old one|after reading good reviews|on "
	     "your website|during the spring sale]."},
	{30, "[I have been a customer for years|I shop with you regularly|This is my first order with you|I usually "
	     "love your products|I have recommended your shop to friends before][, but| and] [this time something went "
	     "wrong|this one has been a disappointment|I ran into a problem|I am not happy this time]."},
	{20, "[I was really looking forward to using|I had high hopes for|I was excited to finally get|I saved up "
	     "for] the {product}."},
	{25, "I [use it|wear it|take it along|rely on it] [every morning|on weekends|for work|when I travel|for my "
	     "club sessions|almost every day|with my family]."},
	{20, "[My order number is in my account|You should have my details on file|I ordered it with my usual "
	     "account|The order was delivered to my home address], [if you need it|in case that helps|so you can check "
	     "it]."},
};
static const story_part person_after[] = {
	{55, "[This is really frustrating|This has been quite stressful|I'm disappointed|Honestly, this is "
	     "annoying|It is a real letdown][ because|, since|, as] [I need it for a race next week|I need it for a "
	     "trip on Saturday|I use it for my daily workouts|I need it for a tournament this weekend|I paid a lot "
	     "for it|it was meant to be a present|I have already lost a week waiting]."},
	{35, "[It started|The problem began|I first noticed it] [three days ago|right after delivery|after the first "
	     "wash|last weekend|a couple of days in] and [it happens every time|it keeps getting worse|it has not "
	     "improved|it comes and goes]."},
	{45, "[I have already checked the help pages on your website.|I followed the instructions in the box "
	     "exactly.|I already waited a few days in case it sorted itself out.|I tried the live chat, but nobody "
	     "answered.|I looked through my order confirmation and everything seems correct.|I called the store, "
	     "and they told me to open a case here.|I still have the receipt and the original packaging.]"},
	{55, "[Could you please look into this as soon as possible?|I would appreciate a quick reply.|Please let me "
	     "know what my options are.|What is the next step?|I hope you can sort this out quickly.|Please get back "
	     "to me today if you can.|Can someone call me about this?|I would like this resolved this week.]"},
	{25, "[To be honest|Frankly|Honestly], [I expected more from your brand|I am thinking about returning "
	     "everything|I would like to keep buying from you|I have always been happy until now]."},
	{30, "[Thanks in advance.|Thank you for your help.|Looking forward to hearing from you.|Many thanks.|Best "
	     "wishes.|Thanks for reading this.]"},
};
static const story_part team_before[] = {
	{50, "We [purchased|licensed|ordered|rolled out] {product} [last quarter|earlier this year|two months ago|for "
	     "our new test lab|for the engineering team|as part of a larger upgrade|after a long evaluation]."},
	{30, "Our [engineering|test|design|simulation|operations] team [relies on|depends on|uses] {product} [every "
	     "day|for customer projects|for our certification work|across three sites|on a tight schedule]."},
	{35, "[It happens on|It affects|We see it on] [two of our five workstations|every node in the "
	     "cluster|the machines in our second office|all new installations|the unit in our main test cell] and "
	     "[started on Monday|appeared after the last maintenance window|first showed up during a customer "
	     "demo|has been going on for a week]."},
	{25, "[We have been your customer for several years|This is our first purchase from you|We recently "
	     "expanded our contract with you|We chose you over two other vendors][, and| so] [this issue is a "
	     "serious concern|we need this resolved|we expected better|we want it fixed properly]."},
};
static const story_part team_after[] = {
	{30, "[Our contract includes|We pay for|We are on] [the premium support plan|priority support|a "
	     "service-level agreement|an enterprise agreement][, so| and] [we expect a fast response|we would like this "
	     "handled accordingly|this should be a priority]."},
	{55, "[This is blocking|This is holding up|This is delaying|This puts at risk] [a customer delivery|our "
	     "release schedule|a certification deadline|the work of about twenty engineers|an important project "
	     "milestone|our quarter-end reporting]."},
	{45, "[Our IT team has already restarted the services|Our admin has reviewed the logs|We reinstalled the "
	     "software on one machine|We followed the troubleshooting guide step by step|We checked the release "
	     "notes|Our engineers checked the network settings][, with no success|, but the problem remains|, without "
	     "any change| and found nothing that explains it]."},
	{55, "[Please escalate this to the right team.|We would appreciate an update by the end of the day.|Please "
	     "let us know the expected resolution time.|Could someone from your team call us?|We need a clear plan "
	     "for resolving this.|Please confirm when this will be fixed.|A written answer for our management would "
	     "help.]"},
	{30, "[Best regards.|Thank you for your prompt attention.|Kind regards.|Thanks in advance for your help.]"},
};

static int parts(crmw_buf *out, rng *r, const story_part *p, size_t n, const slot *s)
{
	int rc = CRMW_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		if ((int)rng_below(r, 100) >= p[i].percent)
			continue;
		if (out->len)
			rc = crmw__buf_putc(out, ' ');
		rc = rc ? rc : crmw__render(out, r, p[i].tmpl, s, 1);
	}
	return rc;
}

int crmw__case_story(crmw_buf *out, rng *r, const crmw_profile *prof, const crmw_issue *is, const char *product)
{
	slot s[] = {{"product", product}};
	bool team = prof->business != 0;
	size_t start = out->len;
	int rc = parts(out, r, team ? team_before : person_before,
		       team ? CRMW_ARRAY_LEN(team_before) : CRMW_ARRAY_LEN(person_before), s);
	if (!rc && out->len > start)
		rc = crmw__buf_putc(out, ' ');
	rc = rc ? rc : crmw__render(out, r, is->description_tmpl, s, 1);
	rc = rc ? rc
		: parts(out, r, team ? team_after : person_after,
			team ? CRMW_ARRAY_LEN(team_after) : CRMW_ARRAY_LEN(person_after), s);
	return rc;
}
