/*
 * The rules of schema/rules.md that read the merged state.
 *
 * The rules table (R01 to R20): each rule is a function rule_rNN over a
 * model of one lot's sessions, paths, intents, trainees and derogations
 * (rules_load), with what schema/rules.md says the tool does with it: error,
 * warning, conflict or data.  A derogation record (rule, session, optional
 * intent, reason, date) turns that rule's errors for that session (or only
 * for that intent) into warnings that name it.  The business conflicts
 * (R07, R01, R16: src/conflicts-business.c) and the register conflicts of
 * the model's records are reported as conflicts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "order.h"

/* Appends a finding; what and hint are arena strings. */
static int
report(struct rules_model *m, const char *rule, enum rule_level level,
    unsigned type, const char *ref, const char *session, const char *intent,
    const char *path, const char *what, const char *hint)
{
	struct rule_result *x;
	int rc;

	if ((rc = rules_grow((void **)&m->results, m->nresults, &m->rcap,
	    sizeof(*m->results))) != 0)
		return rc;
	x = &m->results[m->nresults++];
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->level = level;
	x->type = (uint8_t)type;
	x->ref = ref != NULL ? ref : "";
	x->session = session != NULL ? session : "";
	x->intent = intent != NULL ? intent : "";
	x->path = path != NULL ? path : "";
	x->what = what;
	x->hint = hint;
	x->derog = -1;
	return 0;
}

/*
 * What the Region agrees to (R21), one subject per agreement record, and
 * the rule whose derogations must cite an agreement of that subject: a
 * seasonal contract under 6 months (R03), a group under 5 (R05), a
 * certification (R08), another territory (R09).  A new site is agreed
 * too, but no rule checks a session's site: its agreement is listed with
 * the session, and no derogation needs it.
 */
static const struct agreement_subject {
	const char *subject, *rule, *words;
} agreement_subjects[] = {
	{ "territory", "R09", N_("another territory") },
	{ "site", NULL, N_("a new training site") },
	{ "certification", "R08", N_("a certification") },
	{ "seasonal", "R03", N_("a seasonal contract") },
	{ "group_size", "R05", N_("a group under 5") },
};

/* The subject a rule's derogations need an agreement of, or NULL. */
static const struct agreement_subject *
subject_of_rule(const char *rule)
{
	size_t i;

	for (i = 0; i < nitems(agreement_subjects); i++)
		if (agreement_subjects[i].rule != NULL &&
		    strcmp(agreement_subjects[i].rule, rule) == 0)
			return &agreement_subjects[i];
	return NULL;
}

/* The subject of that name, or NULL. */
static const struct agreement_subject *
subject_named(const char *subject)
{
	size_t i;

	for (i = 0; i < nitems(agreement_subjects); i++)
		if (strcmp(agreement_subjects[i].subject, subject) == 0)
			return &agreement_subjects[i];
	return NULL;
}

/* The first of its required fields an agreement lacks, or NULL. */
static const char *
agreement_lacks(const struct rm_agreement *a)
{
	return !a->reference[0] ? "reference" : !a->date[0] ? "date" :
	    !a->subject[0] ? "subject" : NULL;
}

/* Why an agreement does not allow what a derogation lifts. */
enum misfit {
	FITS,
	LACKS,        /* no reference, date or subject */
	SUBJECT,      /* another subject than the rule's */
	NO_SESSION,   /* it names no session */
	SESSION,      /* another session */
	WHOLE,        /* one intent's, cited for the whole session */
	INTENT,       /* another intent */
};

/*
 * Whether agreement a allows what a derogation of want's rule lifts in
 * session (for intent, or the whole session when intent is "").
 */
static enum misfit
agreement_misfit(const struct rm_agreement *a,
    const struct agreement_subject *want, const char *session,
    const char *intent)
{
	if (agreement_lacks(a) != NULL)
		return LACKS;
	if (strcmp(a->subject, want->subject) != 0)
		return SUBJECT;
	if (!a->session[0])
		return NO_SESSION;
	if (strcmp(a->session, session) != 0)
		return SESSION;
	if (a->intent[0] && !intent[0])
		return WHOLE;
	if (a->intent[0] && strcmp(a->intent, intent) != 0)
		return INTENT;
	return FITS;
}

/* What agreement_misfit found, in words. */
static const char *
misfit_words(struct rules_model *m, const struct rm_agreement *a,
    const struct agreement_subject *want, const char *session,
    const char *intent, enum misfit why)
{
	const struct agreement_subject *got = subject_named(a->subject);

	switch (why) {
	case LACKS:
		return rules_printf(m, _("cites agreement %s, which records no "
		    "%s"),
		    a->ref, agreement_lacks(a));
	case SUBJECT:
		return rules_printf(m, _("cites agreement %s, which is about "
		    "%s (subject=%s), not %s (subject=%s)"), a->ref,
		    got != NULL ?
		    _(got->words) : a->subject, a->subject, _(want->words),
		    want->subject);
	case NO_SESSION:
		return rules_printf(m, _("cites agreement %s, which names no "
		    "session"), a->ref);
	case SESSION:
		return rules_printf(m, _("cites agreement %s, which is about "
		    "session %s, not %s"), a->ref, a->session, session);
	case WHOLE:
		return rules_printf(m, _("cites agreement %s, which covers "
		    "intent %s only, for the whole session"), a->ref,
		    a->intent);
	case INTENT:
		return rules_printf(m, _("cites agreement %s, which is about "
		    "intent %s, not %s"), a->ref, a->intent, intent);
	default:
		return "";
	}
}

/* An agreement of the model that allows what a derogation lifts, or NULL. */
static const struct rm_agreement *
agreement_fitting(const struct rules_model *m,
    const struct agreement_subject *want, const char *session,
    const char *intent)
{
	size_t i;

	for (i = 0; i < m->nagreements; i++)
		if (agreement_misfit(&m->agreements[i], want, session,
		    intent) == FITS)
			return &m->agreements[i];
	return NULL;
}

/* The command that records the Region's agreement of a derogation to be. */
static const char *
add_agreement(struct rules_model *m, const struct agreement_subject *want,
    const char *session, const char *intent)
{
	return rules_printf(m, _("consort add agreement --ref A-%s-%s "
	    "reference=\"...\" date=YYYY-MM-DD subject=%s session=%s%s%s"),
	    want->rule, intent[0] ? intent : session, want->subject, session,
	    intent[0] ? " intent=" : "", intent);
}

/*
 * The fix of an error, then the derogation that would lift it; for a
 * rule whose derogations cite the Region's agreement, the agreement that
 * fits, or the command that records one.
 */
static const char *
derogate(struct rules_model *m, const char *rule, const char *session,
    const char *intent, const char *fix)
{
	const struct agreement_subject *want = subject_of_rule(rule);
	const struct rm_agreement *a;
	const char *key, *with, *cite;

	if (intent == NULL)
		intent = "";
	key = intent[0] ? intent : session;
	with = intent[0] ? rules_printf(m, _(" intent=%s"), intent) : "";
	if (want == NULL)
		return rules_printf(m, _("fix: %s; or derogate: consort add "
		    "derogation --ref D-%s-%s rule=%s session=%s%s "
		    "reason=\"...\" date=YYYY-MM-DD"), fix, rule, key, rule,
		    session, with);
	if ((a = agreement_fitting(m, want, session, intent)) != NULL)
		return rules_printf(m, _("fix: %s; or derogate citing the "
		    "Region's agreement %s: consort add derogation --ref D-%s-%s "
		    "rule=%s session=%s%s agreement=%s reason=\"...\" "
		    "date=YYYY-MM-DD"), fix, a->ref, rule, key, rule, session,
		    with, a->ref);
	cite = rules_printf(m, "A-%s-%s", rule, key);
	return rules_printf(m, _("fix: %s; or, with the Region's agreement on "
	    "%s, record it and derogate citing it: %s; consort add derogation "
	    "--ref D-%s-%s rule=%s session=%s%s agreement=%s reason=\"...\" "
	    "date=YYYY-MM-DD"), fix, _(want->words), add_agreement(m, want,
	    session, intent), rule, key, rule, session, with, cite);
}

/* The path that makes an intent part of the model. */
static const struct rm_path *
intent_path(const struct rules_model *m, const struct rm_intent *x)
{
	return x->pidx >= 0 ? &m->paths[x->pidx] : NULL;
}

/* Whether a path's session is a baseline-order (socle) session (R20). */
static bool
is_socle(const struct rules_model *m, const struct rm_path *p)
{
	return strcmp(m->sessions[p->sidx].scheme, "socle") == 0;
}

/*
 * The checks of one record that a rule makes, for the rules that check
 * records one by one: of an intent (with the path that names it), a path,
 * a session, a lot or a trainee.
 */
struct rule_each {
	int (*intent)(struct rules_model *m, const struct rm_intent *x,
	    const struct rm_path *p);
	int (*path)(struct rules_model *m, const struct rm_path *p);
	int (*session)(struct rules_model *m, const struct rm_session *x);
	int (*lot)(struct rules_model *m, const struct rm_lot *l);
	int (*trainee)(struct rules_model *m, const struct rm_trainee *t);
};

/*
 * Runs a rule's checks of one record on every intent that a path of the
 * model names, every path, session, lot and trainee, in that order, up to
 * the first error.
 */
static int
check_each(struct rules_model *m, const struct rule_each *e)
{
	const struct rm_path *p;
	size_t i;
	int rc = 0;

	for (i = 0; e->intent != NULL && i < m->nintents && rc == 0; i++)
		if (m->intents[i].found &&
		    (p = intent_path(m, &m->intents[i])) != NULL)
			rc = e->intent(m, &m->intents[i], p);
	for (i = 0; e->path != NULL && i < m->npaths && rc == 0; i++)
		rc = e->path(m, &m->paths[i]);
	for (i = 0; e->session != NULL && i < m->nsessions && rc == 0; i++)
		rc = e->session(m, &m->sessions[i]);
	for (i = 0; e->lot != NULL && i < m->nlots && rc == 0; i++)
		rc = e->lot(m, &m->lots[i]);
	for (i = 0; e->trainee != NULL && i < m->ntrainees && rc == 0; i++)
		rc = e->trainee(m, &m->trainees[i]);
	return rc;
}

/*
 * R01 (error): a financed path of a 1e1f session names a recorded hiring
 * intent.  An intent backing two paths, or a trainee financed twice at
 * once, are business conflicts (rule_r07's scan reports them).
 */
static int
r01_path(struct rules_model *m, const struct rm_path *p)
{
	if (!p->financed || is_socle(m, p))
		return 0;
	if (!p->intent[0])
		return report(m, "R01", LEVEL_ERROR, T_path, p->ref, p->session,
		    "", p->ref, rules_printf(m, _("financed path %s (trainee "
		    "%s) names no hiring intent"), p->ref, p->trainee),
		    derogate(m, "R01", p->session, NULL, rules_printf(m,
		    _("record the employer's intent and name it (consort set "
		    "path %s intent=REF), or set financed=false (R06)"),
		    p->ref)));
	if (p->iidx < 0 || !m->intents[p->iidx].found)
		return report(m, "R01", LEVEL_ERROR, T_path, p->ref, p->session,
		    p->intent, p->ref, rules_printf(m, _("financed path %s "
		    "names intent %s, which is not recorded"), p->ref,
		    p->intent), derogate(m, "R01", p->session, p->intent,
		    rules_printf(m, _("record intent %s (consort add intent "
		    "--ref %s ...)"), p->intent, p->intent)));
	return 0;
}

/* R01 on every path of the model. */
static int
rule_r01(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .path = r01_path });
}

/* R02 (error if no evidence or date; warning if no steps): a written, dated intent. */
static int
r02_intent(struct rules_model *m, const struct rm_intent *x,
    const struct rm_path *p)
{
	int rc = 0;

	if (!x->evidence[0])
		rc = report(m, "R02", LEVEL_ERROR, T_intent, x->ref,
		    p->session, x->ref, p->ref, rules_printf(m, _("intent %s "
		    "(%s) records no written evidence (mail, letter, job "
		    "offer)"), x->ref, x->employer), derogate(m, "R02",
		    p->session, x->ref, rules_printf(m, _("record it: consort "
		    "set intent %s evidence=\"email YYYY-MM-DD\""), x->ref)));
	if (rc == 0 && !x->date[0])
		rc = report(m, "R02", LEVEL_ERROR, T_intent, x->ref,
		    p->session, x->ref, p->ref, rules_printf(m, _("intent %s "
		    "(%s) is not dated"), x->ref, x->employer), derogate(m,
		    "R02", p->session, x->ref, rules_printf(m, _("record its "
		    "date: consort set intent %s date=YYYY-MM-DD"), x->ref)));
	if (rc == 0 && !x->steps[0])
		rc = report(m, "R02", LEVEL_WARNING, T_intent, x->ref,
		    p->session, x->ref, p->ref, rules_printf(m, _("intent %s "
		    "(%s) records none of the steps the employer commits "
		    "to"), x->ref, x->employer), rules_printf(m,
		    _("consort set intent %s "
		    "steps=info_meeting,selection,immersion,"
		    "final_review,interview (those agreed)"), x->ref));
	return rc;
}

/* R02 on every intent that a path of the model names. */
static int
rule_r02(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .intent = r02_intent });
}

/*
 * R03 (error unless derogation): the contract after training is a CDI, a
 * CDD of 6 months or more, an interim CDI or a work-study contract, of 24
 * hours a week or more unless the trainee is part-time with a recognised
 * disability (R15).
 */
static int
r03_intent(struct rules_model *m, const struct rm_intent *x,
    const struct rm_path *p)
{
	const struct rm_trainee *t;
	const char *what;
	int rc = 0;

	t = p->tidx >= 0 ? &m->trainees[p->tidx] : NULL;
	what = NULL;
	if (!x->contract[0])
		what = rules_printf(m, _("intent %s (%s) records no contract"),
		    x->ref, x->employer);
	else if (strcmp(x->contract, "CDD") == 0 && (!x->has_months ||
	    x->months < 6))
		what = rules_printf(m, _("intent %s (%s): a CDD of %lld "
		    "months; under 6 months (seasonal) it needs the Region's "
		    "agreement and a derogation citing it"), x->ref,
		    x->employer, (long long)x->months);
	if (what != NULL)
		rc = report(m, "R03", LEVEL_ERROR, T_intent, x->ref,
		    p->session, x->ref, p->ref, what, derogate(m, "R03",
		    p->session, x->ref, _("a CDI, a CDD of 6 months or more, "
		    "an interim CDI or a work-study contract")));
	if (rc != 0 || (x->has_weekly && x->weekly_hours >= 24))
		return rc;
	if (x->has_weekly && t != NULL && t->found && t->disability &&
	    t->part_time)
		return rc;  /* part-time with a disability (R15) */
	if (x->has_weekly && t != NULL && t->sealed)
		return rc;  /* the values R15 needs are read by those entitled */
	rc = report(m, "R03", LEVEL_ERROR, T_intent, x->ref, p->session,
	    x->ref, p->ref, x->has_weekly ? rules_printf(m, _("intent %s (%s): "
	    "%lld hours a week, under 24, for trainee %s who is not "
	    "part-time with a recognised disability"), x->ref, x->employer,
	    (long long)x->weekly_hours, p->trainee) : rules_printf(m,
	    _("intent %s (%s) records no weekly hours"), x->ref,
	    x->employer), derogate(m, "R03", p->session, x->ref,
	    rules_printf(m, _("24 hours a week or more (consort set intent "
	    "%s weekly_hours=N)"), x->ref)));
	return rc;
}

/* R03 on every intent that a path of the model names. */
static int
rule_r03(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .intent = r03_intent });
}

/* R04 (error): the hiring employer is not an SIAE. */
static int
r04_intent(struct rules_model *m, const struct rm_intent *x,
    const struct rm_path *p)
{
	if (strcmp(x->kind, "siae") == 0)
		return report(m, "R04", LEVEL_ERROR, T_intent, x->ref,
		    p->session, x->ref, p->ref, rules_printf(m, _("intent %s: "
		    "employer %s (SIRET %s) is an SIAE (work-integration "
		    "structure) and may not be the hiring employer"), x->ref,
		    x->employer, x->siret), derogate(m, "R04", p->session,
		    x->ref, _("back the path with another employer's intent")));
	if (!x->kind[0])
		return report(m, "R04", LEVEL_ERROR, T_intent, x->ref,
		    p->session, x->ref, p->ref, rules_printf(m, _("intent %s "
		    "(%s) does not say what kind of employer it is"), x->ref,
		    x->employer), derogate(m, "R04", p->session, x->ref,
		    rules_printf(m, "consort set intent %s employer_kind="
		    "company|interim_agency|siae", x->ref)));
	return 0;
}

/* R04 on every intent that a path of the model names. */
static int
rule_r04(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .intent = r04_intent });
}

/*
 * R05 (error unless derogation): a session opens with 5 financed trainees
 * or more; on a permanent-entry platform, 1 financed trainee with an intent
 * suffices.  A session started before the request, there for its
 * complementary paths, counts those ordered before too (an earlier
 * request opened it).
 */
static int
r05_session(struct rules_model *m, const struct rm_session *x)
{
	const struct rm_path *p;
	unsigned financed = x->financed + x->financed_before;
	bool backed;
	size_t k;

	if (financed >= 5)
		return 0;
	backed = x->financed_before > 0;
	for (k = x->first; k < x->first + x->npaths && !backed; k++) {
		p = &m->paths[k];
		backed = p->financed && p->iidx >= 0 &&
		    m->intents[p->iidx].found;
	}
	if (x->permanent_entry && financed >= 1 && backed)
		return 0;
	return report(m, "R05", LEVEL_ERROR, T_session, x->ref, x->ref, "",
	    "", rules_printf(m, _("session %s opens with %u financed "
	    "trainee%s: at least 5 are needed%s"), x->ref, financed,
	    financed == 1 ? "" : "s", x->permanent_entry ? _(" (1 with an "
	    "intent on this permanent-entry platform)") : ""),
	    derogate(m, "R05", x->ref, NULL, _("add financed paths (or "
	    "postpone the session)")));
}

/* R05 on every session of the model. */
static int
rule_r05(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .session = r05_session });
}

/*
 * R06 (data): every path says whether the Region finances it; trainees
 * beyond the financed group are marked not financed (listed apart in the
 * request).  More financed paths than financed places is a warning.
 */
static int
r06_path(struct rules_model *m, const struct rm_path *p)
{
	if (!p->has_financed)
		return report(m, "R06", LEVEL_ERROR, T_path, p->ref, p->session,
		    p->intent, p->ref, rules_printf(m, _("path %s does not say "
		    "whether the Region finances it"), p->ref), derogate(m,
		    "R06", p->session, NULL, rules_printf(m, "consort set "
		    "path %s financed=true|false", p->ref)));
	return 0;
}

/* R06: more financed paths than financed places is a warning. */
static int
r06_session(struct rules_model *m, const struct rm_session *x)
{
	unsigned financed = x->financed + x->financed_before;

	if (x->has_capacity && financed > x->capacity)
		return report(m, "R06", LEVEL_WARNING, T_session, x->ref,
		    x->ref, "", "", rules_printf(m, _("session %s finances %u "
		    "trainees for %lld financed places"), x->ref, financed,
		    (long long)x->capacity), rules_printf(m, _("mark the "
		    "trainees beyond the financed group financed=false, or "
		    "raise the capacity (consort set session %s capacity=N)"),
		    x->ref));
	return 0;
}

/* R06 on every path, then every session of the model. */
static int
rule_r06(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .path = r06_path,
	    .session = r06_session });
}

/* Records a business conflict touching the model as a blocking finding. */
static int
business_one(void *ctx, const struct conflict *c)
{
	struct rules_model *m = ctx;
	const char *ref = rules_strn(m, c->ref, c->ref_len);
	const char *kind = c->kind;
	int rc;

	if (ref == NULL)
		return E(NOMEM);
	if (strcmp(kind, "R07") == 0)
		kind = "R07";
	else if (strcmp(kind, "R01") == 0)
		kind = "R01";
	else if (strcmp(kind, "R16") == 0)
		kind = "R16";
	else
		kind = "conflict";
	if ((rc = report(m, kind, LEVEL_ERROR, c->type, ref, "", "", "",
	    rules_printf(m, "%s", c->detail), rules_printf(m, _("resolve "
	    "conflict %s first (consort conflicts %s %s)"), c->id,
	    schema_type(c->type)->name, ref))) != 0)
		return rc;
	memcpy(m->results[m->nresults - 1].conflict, c->id, sizeof(c->id));
	return 0;
}

/*
 * R07 (conflict): an employer commits to one provider for one trainee, and
 * an intent backs one path.  Runs the business-conflict scan on the
 * model's trainees and intents, which also finds R01's (financed twice at
 * once) and R16's (a path whose session was deleted).
 */
static int
rule_r07(struct rules_model *m)
{
	if (m->txn == NULL || (m->nintents == 0 && m->ntrainees == 0))
		return 0;
	return conflicts_business(m->txn, m->s, 0, m, business_one, m);
}

/* Whether s is prefix followed by between lo and hi digits, then rest. */
static bool
code_shape(const char *s, const char *prefix, int lo, int hi, const char *rest,
    int rlo, int rhi)
{
	size_t n = strlen(prefix);
	int k;

	if (strncmp(s, prefix, n) != 0)
		return false;
	s += n;
	for (k = 0; s[k] >= '0' && s[k] <= '9'; k++)
		;
	if (k < lo || k > hi)
		return false;
	s += k;
	if (rest == NULL)
		return *s == '\0';
	return code_shape(s, rest, rlo, rhi, NULL, 0, 0);
}

/* The certification a session or a path aims at, for R08. */
struct r08_cert {
	unsigned type;            /* T_session or T_path */
	const char *ref, *session, *path;
	const char *kind, *code;
};

/*
 * R08 on one certification: its kind (full, block, rs) and its code are
 * recorded (error unless a derogation), and the code has its kind's shape
 * (warning).
 */
static int
r08_check(struct rules_model *m, const struct r08_cert *c)
{
	const char *what = schema_type(c->type)->name;
	bool ok;

	if (!c->kind[0] || !c->code[0])
		return report(m, "R08", LEVEL_ERROR, c->type, c->ref, c->session,
		    "", c->path, rules_printf(m, _("%s %s does not name %s"),
		    what,
		    c->ref, !c->kind[0] ? _("the kind of certification it aims "
		    "at") : _("its certification code")), derogate(m, "R08",
		    c->session, NULL, rules_printf(m, "consort set %s %s "
		    "cert_kind=full|block|rs cert_code=CODE", what, c->ref)));
	if (strcmp(c->kind, "full") == 0)
		ok = code_shape(c->code, "RNCP", 4, 5, NULL, 0, 0);
	else if (strcmp(c->kind, "block") == 0)
		ok = code_shape(c->code, "RNCP", 4, 5, "BC", 2, 2);
	else
		ok = code_shape(c->code, "RS", 3, 5, NULL, 0, 0);
	if (!ok)
		return report(m, "R08", LEVEL_WARNING, c->type, c->ref,
		    c->session, "", c->path, rules_printf(m, _("%s %s: code %s "
		    "is not the shape of a %s certification"), what, c->ref,
		    c->code, c->kind), _("check the code: RNCP#####"
		    " (full), RNCP#####BC## (block), RS#### (specific "
		    "register)"));
	return 0;
}

/*
 * R08 (data): a session names the kind of certification it aims at (full,
 * block, rs) and its code; a code of another shape than its kind's is a
 * warning.
 */
static int
r08_session(struct rules_model *m, const struct rm_session *x)
{
	return r08_check(m, &(const struct r08_cert){ T_session, x->ref,
	    x->ref, "", x->cert_kind, x->cert_code });
}

/*
 * R08 on a path that aims at a certification of its own (close skills,
 * another title than its session's): the same checks as a session's.
 */
static int
r08_path(struct rules_model *m, const struct rm_path *p)
{
	if (!p->cert_kind[0] && !p->cert_code[0])
		return 0;  /* its session's */
	return r08_check(m, &(const struct r08_cert){ T_path, p->ref,
	    p->session, p->ref, p->cert_kind, p->cert_code });
}

/* R08 on every path, then every session of the model. */
static int
rule_r08(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .path = r08_path,
	    .session = r08_session });
}

/*
 * The Region's agreement to a session on another territory (subject
 * territory, naming the session): a complete one if any, else one that
 * lacks its reference or date, else NULL.
 */
static const struct rm_agreement *
territory_agreement(const struct rules_model *m, const struct rm_session *x)
{
	const struct rm_agreement *a, *found = NULL;
	size_t i;

	for (i = 0; i < m->nagreements; i++) {
		a = &m->agreements[i];
		if (strcmp(a->subject, "territory") != 0 ||
		    strcmp(a->session, x->ref) != 0)
			continue;
		if (agreement_lacks(a) == NULL)
			return a;
		found = a;
	}
	return found;
}

/* Whether a session's provider is a subcontractor. */
static bool
run_by_sub(const struct rules_model *m, const struct rm_session *x)
{
	const struct rm_member *pm = rules_member(m, x->provider);

	return pm != NULL && strcmp(pm->role, "sub") == 0;
}

/*
 * R09 on a subcontractor's session outside its lot's territory: only the
 * lead and the co-contractors open a session on another territory (FAQ
 * §1), so neither an agreement nor a derogation lifts the error.
 */
static int
r09_sub(struct rules_model *m, const struct rm_session *x,
    const struct rm_lot *l, const char *where)
{
	const struct rm_member *pm = rules_member(m, x->provider);
	int rc;

	if ((rc = report(m, "R09", LEVEL_ERROR, T_session, x->ref, x->ref, "",
	    "", rules_printf(m, _("%s, and is run by subcontractor %s (%s): "
	    "only the lead and the co-contractors open a session on another "
	    "territory, with the Region's agreement; no agreement or "
	    "derogation lifts this"), where, pm->name, pm->siret),
	    rules_printf(m, _("consort set session %s territory=%s; or the "
	    "member it is attached to (%s), or the lead, runs it and asks the "
	    "Region (consort set session %s provider=SIRET)"), x->ref,
	    l->territory, pm->parent, x->ref))) != 0)
		return rc;
	m->results[m->nresults - 1].firm = true;
	return 0;
}

/*
 * R09 on a session outside its lot's territory: a subcontractor's is an
 * error nothing lifts; the Region's agreement recorded for it (subject
 * territory) makes it a warning that names the agreement; the agreement
 * written as text on the session (the field before agreements were
 * records) too, asking to record it; none is an error.
 */
static int
r09_elsewhere(struct rules_model *m, const struct rm_session *x,
    const struct rm_lot *l)
{
	const struct agreement_subject *want = subject_of_rule("R09");
	const struct rm_agreement *a = territory_agreement(m, x);
	const char *where;

	where = rules_printf(m, _("session %s is in territory %s, outside lot "
	    "%s's territory %s"), x->ref, x->territory, l->ref, l->territory);
	if (run_by_sub(m, x))
		return r09_sub(m, x, l, where);
	if (a != NULL && agreement_lacks(a) == NULL)
		return report(m, "R09", LEVEL_WARNING, T_session, x->ref,
		    x->ref, "", "", rules_printf(m, _("%s, with the Region's "
		    "agreement %s (%s of %s)"), where, a->ref, a->reference,
		    a->date), _("none: the agreement is listed in the "
		    "request"));
	if (a != NULL)
		return report(m, "R09", LEVEL_ERROR, T_session, x->ref, x->ref,
		    "", "", rules_printf(m, _("%s; its agreement %s records no "
		    "%s"), where, a->ref, agreement_lacks(a)), rules_printf(m,
		    "consort set agreement %s %s=%s", a->ref, agreement_lacks(a),
		    strcmp(agreement_lacks(a), "date") == 0 ? _("YYYY-MM-DD") :
		    "\"...\""));
	if (x->agreement[0])
		return report(m, "R09", LEVEL_WARNING, T_session, x->ref,
		    x->ref, "", "", rules_printf(m, _("%s, with the Region's "
		    "agreement written on the session (\"%s\"), not recorded"),
		    where, x->agreement), rules_printf(m,
		    _("record it with its reference and date: %s (the text "
		    "on the session stays)"),
		    add_agreement(m, want, x->ref, "")));
	return report(m, "R09", LEVEL_ERROR, T_session, x->ref, x->ref, "", "",
	    rules_printf(m, _("%s, without the Region's agreement"), where),
	    rules_printf(m, _("fix: consort set session %s territory=%s; or "
	    "record the Region's agreement, asked for by the lead or a "
	    "co-contractor: %s"), x->ref, l->territory, add_agreement(m, want,
	    x->ref, "")));
}

/*
 * R09 (error / warning): a session belongs to a recorded lot, on the lot's
 * territory; another territory needs the Region's agreement (r09_elsewhere).
 */
static int
r09_session(struct rules_model *m, const struct rm_session *x)
{
	const struct rm_lot *l;

	if (x->lot_idx < 0)
		return report(m, "R09", LEVEL_ERROR, T_session, x->ref, x->ref,
		    "", "", rules_printf(m, _("session %s names lot %s, which "
		    "is not recorded"), x->ref, x->lot[0] ? x->lot :
		    _("(none)")),
		    derogate(m, "R09", x->ref, NULL, rules_printf(m,
		    "consort set session %s lot=LOT", x->ref)));
	l = &m->lots[x->lot_idx];
	if (strcmp(x->territory, l->territory) == 0)
		return 0;
	if (x->territory[0])
		return r09_elsewhere(m, x, l);
	return report(m, "R09", LEVEL_ERROR, T_session, x->ref, x->ref, "", "",
	    rules_printf(m, _("session %s records no territory"), x->ref),
	    derogate(m, "R09", x->ref, NULL, rules_printf(m, "consort set "
	    "session %s territory=%s", x->ref, l->territory)));
}

/* R09 on every session of the model. */
static int
rule_r09(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .session = r09_session });
}

/*
 * R10 (error): a session's provider is a member: the lead, a co-contractor
 * awarded at creation, or a subcontractor added by DC4 (its reference
 * recorded) and attached to a member.
 */
static int
r10_session(struct rules_model *m, const struct rm_session *x)
{
	const struct rm_member *pm, *parent;
	const char *what;

	pm = rules_member(m, x->provider);
	what = NULL;
	if (pm == NULL)
		what = rules_printf(m, _("session %s: provider %s is not a "
		    "member of the consortium (co-contractors are awarded "
		    "at creation, subcontractors added by DC4)"), x->ref,
		    x->provider[0] ? x->provider : _("(none)"));
	else if (pm->revoked)
		what = rules_printf(m, _("session %s: provider %s (%s) was "
		    "revoked"), x->ref, pm->siret, pm->name);
	else if (strcmp(pm->role, "co") == 0 && !pm->awarded)
		what = rules_printf(m, _("session %s: co-contractor %s (%s) "
		    "was not awarded at the consortium's creation"), x->ref,
		    pm->siret, pm->name);
	else if (strcmp(pm->role, "sub") == 0) {
		parent = rules_member(m, pm->parent);
		if (!pm->dc4[0] && !x->dc4[0])
			what = rules_printf(m, _("session %s: subcontractor %s "
			    "(%s) has no DC4 reference"), x->ref, pm->siret,
			    pm->name);
		else if (parent == NULL || parent->revoked ||
		    strcmp(parent->role, "sub") == 0)
			what = rules_printf(m, _("session %s: subcontractor %s "
			    "(%s) is attached to no member"), x->ref, pm->siret,
			    pm->name);
	} else if (strcmp(pm->role, "lead") != 0 &&
	    strcmp(pm->role, "co") != 0)
		what = rules_printf(m, _("session %s: provider %s has no "
		    "role in the consortium"), x->ref, pm->siret);
	if (what != NULL)
		return report(m, "R10", LEVEL_ERROR, T_session, x->ref, x->ref,
		    "", "", what, derogate(m, "R10", x->ref, NULL,
		    _("a subcontractor is added by the lead with its DC4: "
		    "consort invite --role sub --parent SIRET --dc4 REF")));
	return 0;
}

/* R10 on every session of the model. */
static int
rule_r10(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .session = r10_session });
}

/*
 * R11 (data): the order request is sent by the lead; a co-contractor sends
 * its own directly (--direct), the lead being informed by a notice record.
 */
static int
rule_r11(struct rules_model *m)
{
	const struct rm_member *x = NULL;
	char hex[2 * CONSORT_KEY_BYTES + 1];
	size_t i;

	if (m->q.sender == NULL)
		return 0;
	util_hex(hex, m->q.sender, CONSORT_KEY_BYTES);
	for (i = 0; i < m->nmembers && x == NULL; i++)
		if ((strcmp(m->members[i].key, hex) == 0 ||
		    (m->q.sender_siret != NULL &&
		    strcmp(m->members[i].siret, m->q.sender_siret) == 0)) &&
		    !m->members[i].revoked)
			x = &m->members[i];
	if (x != NULL && strcmp(x->role, "lead") == 0)
		return 0;
	if (x != NULL && strcmp(x->role, "co") == 0 && m->q.direct)
		return 0;
	if (x != NULL && strcmp(x->role, "co") == 0)
		return report(m, "R11", LEVEL_ERROR, T_member, x->siret, "", "", "",
		    rules_printf(m, _("%s (%s) is a co-contractor: the order "
		    "request is sent by the lead"), x->name, x->siret),
		    _("ask the lead to build it, or send your own sessions' "
		    "request directly with "
		    "--direct (the lead is informed by a notice recorded in the "
		    "log)"));
	return report(m, "R11", LEVEL_ERROR, T_member, x ? x->siret :
	    rules_printf(m, "%s", hex), "",
	    "", "", rules_printf(m, _("%s is neither the lead nor a "
	    "co-contractor: it sends no order request"), x ? x->name : _("this key")),
	    _("ask the lead to build the request"));
}

/*
 * R12 (data): requests are handled in the order they were made: the
 * request's lines are sorted by the intent's date, then its id
 * (order-build.c); an undated intent is R02's error.
 */
static int
rule_r12(struct rules_model *m)
{
	(void)m;
	return 0;
}

/*
 * R13 (data): every path records its individual hours (and its modules);
 * its own start, when it has one (a complementary path), is a day of its
 * session: an error no derogation lifts, since the month the path is
 * ordered in and the days its hours are spread over follow from it.
 */
static int
r13_path(struct rules_model *m, const struct rm_path *p)
{
	const struct rm_session *x = &m->sessions[p->sidx];
	int rc;

	if (p->start_outside && (rc = report(m, "R13", LEVEL_ERROR, T_path,
	    p->ref, "", p->intent, p->ref, rules_printf(m, _("path %s starts "
	    "on %s, outside its session %s (%s to %s)"), p->ref, p->start,
	    x->ref, x->start, x->end[0] ? x->end : _("no end")), rules_printf(m,
	    _("consort set path %s start=YYYY-MM-DD, a day of the session (or "
	    "start= to start with it)"), p->ref))) != 0)
		return rc;
	if (p->has_hours && (p->hours > 0 || !p->financed))
		return 0;
	return report(m, "R13", LEVEL_ERROR, T_path, p->ref, p->session,
	    p->intent, p->ref, rules_printf(m, _("path %s records no "
	    "individual hours"), p->ref), derogate(m, "R13", p->session,
	    NULL, rules_printf(m, _("consort set path %s hours=N"), p->ref)));
}

/* R13 on every path of the model. */
static int
rule_r13(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .path = r13_path });
}

/* The day a rate applies from, in words. */
static const char *
rate_day(const struct rm_rate *x)
{
	return x->since[0] ? x->since : _("the start");
}

/*
 * R14 on a lot's history: every rate record holds a rate, and one day
 * starts one rate (two records of one day, or a record and the lot's own
 * pair, that differ leave the price of that day open).
 */
static int
r14_history(struct rules_model *m, const struct rm_lot *l)
{
	const struct rm_rate *x, *y;
	size_t i;
	int rc = 0;

	for (i = l->rfirst; i < l->rfirst + l->nrates && rc == 0; i++) {
		x = &m->rates[i];
		y = i > l->rfirst ? &m->rates[i - 1] : NULL;
		if (!x->has_cents)
			rc = report(m, "R14", LEVEL_ERROR, T_rate, x->ref, "", "",
			    "", rules_printf(m, _("rate %s of lot %s records "
			    "no hourly rate"), x->ref, l->ref), rules_printf(m,
			    _("the lead records it: consort set rate %s "
			    "rate_cents=N, or removes it: consort rm rate %s"),
			    x->ref, x->ref));
		else if (y != NULL && y->has_cents &&
		    strcmp(x->since, y->since) == 0 && x->cents != y->cents)
			rc = report(m, "R14", LEVEL_ERROR, T_rate, x->ref, "", "",
			    "", rules_printf(m, _("lot %s has two hourly rates "
			    "from %s: %lld cents (%s %s) and %lld cents (rate "
			    "%s)"),
			    l->ref, rate_day(x), (long long)y->cents, y->own ?
			    "lot" : "rate", y->ref, (long long)x->cents, x->ref),
			    rules_printf(m, _("the lead keeps the one agreed: "
			    "consort set rate %s rate_cents=N (the lot's own: "
			    "consort set lot %s rate_cents=N)"), x->ref,
			    l->ref));
	}
	return rc;
}

/*
 * R14 (data): the lot has an hourly rate, one per day of its history (an
 * amendment changes it from a day on); a path costs hours x rate.
 */
static int
r14_lot(struct rules_model *m, const struct rm_lot *l)
{
	if (l->has_rate)
		return r14_history(m, l);
	return report(m, "R14", LEVEL_ERROR, T_lot, l->ref, "", "", "",
	    rules_printf(m, _("lot %s has no hourly rate"), l->ref),
	    rules_printf(m, _("the lead records it: consort set lot %s "
	    "rate_cents=N rate_since=YYYY-MM-DD"), l->ref));
}

/* The days without a rate that R14 reported, one per lot and day. */
struct r14_days {
	const struct rm_path **v;
	size_t n;
};

/* Whether a path of the same lot and day was reported; notes it if not. */
static bool
r14_reported(const struct rules_model *m, struct r14_days *seen,
    const struct rm_path *p)
{
	const struct rm_path *q;
	size_t k;

	for (k = 0; k < seen->n; k++) {
		q = seen->v[k];
		if (strcmp(q->day, p->day) == 0 &&
		    m->sessions[q->sidx].lot_idx == m->sessions[p->sidx].lot_idx)
			return true;
	}
	seen->v[seen->n++] = p;
	return false;
}

/*
 * R14 on a financed path: a rate of its lot is in force on the day its
 * hours are ordered (its session's start).  One error per lot and day.
 */
static int
r14_path(struct rules_model *m, struct r14_days *seen, const struct rm_path *p)
{
	const struct rm_session *x = &m->sessions[p->sidx];
	const struct rm_lot *l;

	if (!p->financed || p->ridx >= 0 || x->lot_idx < 0)
		return 0;
	l = &m->lots[x->lot_idx];
	if (l->nrates == 0 || r14_reported(m, seen, p))
		return 0;  /* no rate at all: r14_lot's error */
	return report(m, "R14", LEVEL_ERROR, T_lot, l->ref, "", "", "",
	    rules_printf(m, _("lot %s has no hourly rate in force on %s, the "
	    "day path %s of session %s is ordered: its rates apply from %s"),
	    l->ref, p->day[0] ? p->day : _("(no date)"), p->ref, x->ref,
	    rate_day(&m->rates[l->rfirst])), rules_printf(m, _("the lead "
	    "records the rate of that day: consort add rate --ref %s@DAY "
	    "lot=%s since=DAY rate_cents=N, DAY on or before %s (%s@start, "
	    "without since, from the start)"), l->ref, l->ref, p->day, l->ref));
}

/* R14 on every lot of the model, then on every financed path. */
static int
rule_r14(struct rules_model *m)
{
	struct r14_days seen = { NULL, 0 };
	size_t i;
	int rc;

	if ((rc = check_each(m, &(const struct rule_each){ .lot = r14_lot })) != 0)
		return rc;
	if (m->npaths > 0 && (seen.v = calloc(m->npaths, sizeof(*seen.v))) == NULL)
		return E(NOMEM);
	for (i = 0; i < m->npaths && rc == 0; i++)
		rc = r14_path(m, &seen, &m->paths[i]);
	free(seen.v);
	return rc;
}

/*
 * R15 (data): part-time attendance is for trainees with a recognised
 * disability (then R03 accepts fewer weekly hours).
 */
static int
r15_trainee(struct rules_model *m, const struct rm_trainee *t)
{
	const struct rm_path *p;

	if (!t->found || t->sealed || !t->part_time || t->disability ||
	    t->pidx < 0)
		return 0;  /* sealed: checked where the values are readable */
	p = &m->paths[t->pidx];
	return report(m, "R15", LEVEL_ERROR, T_trainee, t->ref, p->session,
	    p->intent, p->ref, rules_printf(m, _("trainee %s is part-time "
	    "without a recognised disability"), t->ref), derogate(m, "R15",
	    p->session, NULL, rules_printf(m, _("consort set trainee %s "
	    "part_time=false (or disability=true if it is recognised)"),
	    t->ref)));
}

/* R15 on every trainee of the model. */
static int
rule_r15(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .trainee = r15_trainee });
}

/* Who withdrew an intent, in words ("" when not recorded) (R16). */
static const char *
withdrawn_by_words(const struct rm_intent *x)
{
	if (strcmp(x->withdrawn_by, "employer") == 0)
		return _(" by the employer");
	if (strcmp(x->withdrawn_by, "trainee") == 0)
		return _(" by the trainee");
	return "";
}

/*
 * Whether the intents an intent replaces lead back to it (R16): a cycle
 * that no order of withdrawals can make.
 */
static bool
replaces_cycle(const struct rules_model *m, const struct rm_intent *x)
{
	long j = x->ridx, self = x - m->intents;
	size_t step;

	for (step = 0; j >= 0 && step <= m->nintents; step++) {
		if (j == self)
			return true;
		j = m->intents[j].ridx;
	}
	return false;
}

/*
 * R16 (error): what an intent records of a withdrawal holds together: who
 * withdrew it only on a withdrawn intent; the intent it replaces recorded,
 * withdrawn, another intent, replaced by it alone, and not leading back
 * to it.
 */
static int
r16_inconsistent(struct rules_model *m, const struct rm_intent *x,
    const struct rm_path *p)
{
	const struct rm_intent *y = x->ridx >= 0 ? &m->intents[x->ridx] : NULL;
	const char *what = NULL, *fix = NULL;

	if (x->withdrawn_by[0] && strcmp(x->status, "withdrawn") != 0) {
		what = rules_printf(m, _("intent %s (%s) is not withdrawn "
		    "(status %s) but records who withdrew it "
		    "(withdrawn_by=%s)"), x->ref,
		    x->employer, x->status[0] ? x->status : _("not recorded"),
		    x->withdrawn_by);
		fix = rules_printf(m, _("record the withdrawal (consort set "
		    "intent %s status=withdrawn status_date=YYYY-MM-DD), or "
		    "unset who withdrew it (consort set intent %s "
		    "withdrawn_by=)"), x->ref,
		    x->ref);
	} else if (x->replaces[0] && strcmp(x->replaces, x->ref) == 0) {
		what = rules_printf(m, _("intent %s names itself as the intent "
		    "it replaces (replaces=%s)"), x->ref, x->ref);
		fix = rules_printf(m, _("consort set intent %s replaces=REF "
		    "(the withdrawn intent it replaced), or replaces="),
		    x->ref);
	} else if (x->replaces_missing) {
		what = rules_printf(m, _("intent %s replaces intent %s, which "
		    "is not recorded"), x->ref, x->replaces);
		fix = rules_printf(m, _("record intent %s, or name the "
		    "withdrawn intent it replaced (consort set intent %s "
		    "replaces=REF)"),
		    x->replaces, x->ref);
	} else if (y != NULL && strcmp(y->status, "withdrawn") != 0) {
		what = rules_printf(m, _("intent %s replaces intent %s (%s), "
		    "which is not withdrawn (status %s)"), x->ref, y->ref,
		    y->employer, y->status[0] ? y->status : _("not recorded"));
		fix = rules_printf(m, _("record the withdrawal of %s (consort "
		    "set intent %s status=withdrawn "
		    "withdrawn_by=employer|trainee status_date=YYYY-MM-DD), or "
		    "consort set intent %s replaces="),
		    y->ref, y->ref, x->ref);
	} else if (y != NULL && y->nby > 1) {
		what = rules_printf(m, _("intent %s replaces intent %s, which "
		    "%u intents of this request replace"), x->ref, y->ref,
		    y->nby);
		fix = rules_printf(m, _("a withdrawn intent has one "
		    "replacement: unset it on the others (consort set intent "
		    "REF replaces=)"));
	} else if (y != NULL && replaces_cycle(m, x)) {
		what = rules_printf(m, _("intent %s replaces intent %s, which "
		    "leads back to %s through the intents it replaces (a "
		    "cycle)"),
		    x->ref, y->ref, x->ref);
		fix = rules_printf(m, _("a replacement comes after the intent "
		    "it replaces: consort set intent %s replaces=REF (or "
		    "replaces=)"), x->ref);
	}
	if (what == NULL)
		return 0;
	return report(m, "R16", LEVEL_ERROR, T_intent, x->ref, p->session, x->ref,
	    p->ref, what, derogate(m, "R16", p->session, x->ref, fix));
}

/*
 * R16 (warning + listed): a withdrawn intent stays in the request, listed
 * with the withdrawal's date, reason, who withdrew it, the follow-up
 * chosen and the intent that replaced it: its path stays when the path
 * still names it, or names its replacement now.
 */
static int
r16_withdrawn(struct rules_model *m, const struct rm_intent *x,
    const struct rm_path *p)
{
	const struct rm_intent *by = x->byidx >= 0 ? &m->intents[x->byidx] :
	    NULL;
	const char *what, *who = "";

	if (strcmp(x->status, "withdrawn") != 0)
		return 0;
	what = rules_printf(m, _("intent %s (%s) was withdrawn%s on %s (%s)"),
	    x->ref, x->employer, withdrawn_by_words(x), x->status_date[0] ?
	    x->status_date : _("an unrecorded date"), x->status_reason[0] ?
	    x->status_reason : _("no reason recorded"));
	if (by != NULL)
		what = rules_printf(m, _("%s and replaced by intent %s (%s, "
		    "%s%s)"),
		    what, by->ref, by->employer, by->date[0] ? _("dated ") :
		    _("undated"), by->date);
	if (x->replaced)
		what = rules_printf(m, _("%s; path %s names intent %s now"),
		    what, p->ref, p->intent);
	else
		what = rules_printf(m, _("%s; path %s still names it and stays "
		    "listed"), what, p->ref);
	if (!x->withdrawn_by[0])
		who = rules_printf(m, _("; who withdrew it is not recorded "
		    "(consort set intent %s withdrawn_by=employer|trainee)"),
		    x->ref);
	return report(m, "R16", LEVEL_WARNING, T_intent, x->ref, p->session,
	    x->ref, p->ref, rules_printf(m, _("%s; follow-up: %s%s"), what,
	    x->followup[0] ? x->followup : _("not chosen yet"), who),
	    rules_printf(m, _("record the withdrawal and the follow-up: "
	    "consort set intent %s status_date=YYYY-MM-DD status_reason="
	    "\"...\" withdrawn_by=employer|trainee followup=full_path|"
	    "ft_referral"), x->ref));
}

/*
 * R16 on every intent of the model that a path names or that an intent a
 * path names replaced, with the path its withdrawal concerns.
 */
static int
rule_r16(struct rules_model *m)
{
	const struct rm_intent *x;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nintents && rc == 0; i++) {
		x = &m->intents[i];
		if (!x->found || x->wpidx < 0)
			continue;
		if ((rc = r16_inconsistent(m, x, &m->paths[x->wpidx])) == 0)
			rc = r16_withdrawn(m, x, &m->paths[x->wpidx]);
	}
	if (rc == 0 && m->chain_cut != NULL)
		rc = report(m, "R16", LEVEL_WARNING, T_intent, m->chain_cut, "",
		    m->chain_cut, "", rules_printf(m,
		    _("intent %s replaces intents "
		    "further back than %d replacements: the earlier withdrawals "
		    "are not listed"), m->chain_cut, INTENT_CHAIN_MAX), "");
	return rc;
}

/*
 * R17 (error): a trainee is a job seeker, or an SIAE employee (who attends
 * without the Region's remuneration); a company's employee cannot attend.
 */
static int
r17_path(struct rules_model *m, const struct rm_path *p)
{
	const struct rm_trainee *t;
	const char *what;

	t = p->tidx >= 0 ? &m->trainees[p->tidx] : NULL;
	if (t != NULL && t->found && (strcmp(t->status, "job_seeker") == 0 ||
	    strcmp(t->status, "siae_employee") == 0))
		return 0;
	if (t == NULL || !t->found)
		what = rules_printf(m, _("path %s names trainee %s, who is not "
		    "recorded"), p->ref, p->trainee[0] ? p->trainee :
		    _("(none)"));
	else if (!t->status[0])
		what = rules_printf(m, _("trainee %s (path %s) has no "
		    "recorded status"), t->ref, p->ref);
	else
		what = rules_printf(m, _("trainee %s (path %s) is a company's "
		    "employee: only job seekers (and SIAE employees) may "
		    "attend"), t->ref, p->ref);
	return report(m, "R17", LEVEL_ERROR, t ? T_trainee : T_path,
	    t ? t->ref : p->ref, p->session, p->intent, p->ref, what,
	    derogate(m, "R17", p->session, NULL, _("record the trainee as "
	    "a job seeker (status=job_seeker) or remove the path")));
}

/* R17 on every path of the model. */
static int
rule_r17(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .path = r17_path });
}

/* R18 (data): one statement per lot per month (statement.c). */
static int
rule_r18(struct rules_model *m)
{
	(void)m;
	return 0;
}

/*
 * R19 (data): a session may gather several employers, and a path may go
 * on after hiring outside this order: nothing to refuse, the request lists
 * each session's employers.
 */
static int
rule_r19(struct rules_model *m)
{
	(void)m;
	return 0;
}

/*
 * R20 (data): every session says its scheme, 1e1f or socle; socle
 * sessions need no intent (rule_r01 skips them) and are listed apart.
 */
static int
r20_session(struct rules_model *m, const struct rm_session *x)
{
	if (strcmp(x->scheme, "1e1f") != 0 && strcmp(x->scheme, "socle") != 0)
		return report(m, "R20", LEVEL_ERROR, T_session, x->ref, x->ref,
		    "", "", rules_printf(m, _("session %s does not say whether "
		    "it is a 1e1f or a baseline (socle) session"), x->ref),
		    derogate(m, "R20", x->ref, NULL, rules_printf(m,
		    "consort set session %s scheme=1e1f|socle", x->ref)));
	return 0;
}

/* R20 on every session of the model. */
static int
rule_r20(struct rules_model *m)
{
	return check_each(m, &(const struct rule_each){ .session = r20_session });
}

static const struct rule_def rule_table[] = {
	{ "R01", rule_r01, RULE_ERROR, "one financed path = one individual "
	    "hiring intention" },
	{ "R02", rule_r02, RULE_ERROR, "an intent is written and dated, with "
	    "the employer's commitment steps" },
	{ "R03", rule_r03, RULE_ERROR, "contract after training: CDI, CDD of 6 "
	    "months or more, interim CDI, work-study; 24 h/week or more" },
	{ "R04", rule_r04, RULE_ERROR, "the hiring employer may not be an SIAE" },
	{ "R05", rule_r05, RULE_ERROR, "a session opens with at least 5 "
	    "financed trainees (1 on a permanent-entry platform)" },
	{ "R06", rule_r06, RULE_DATA, "trainees beyond the financed group are "
	    "marked not financed" },
	{ "R07", rule_r07, RULE_CONFLICT, "an employer commits to one provider "
	    "for one trainee; an intent backs one path" },
	{ "R08", rule_r08, RULE_DATA, "a path aims at a certification whose "
	    "kind and code are recorded" },
	{ "R09", rule_r09, RULE_ERROR, "a session belongs to one lot, on its "
	    "territory unless the Region agreed" },
	{ "R10", rule_r10, RULE_ERROR, "subcontractors are added by DC4 only; "
	    "co-contractors are awarded at creation" },
	{ "R11", rule_r11, RULE_DATA, "the lead sends the request; a "
	    "co-contractor directly, after a notice to the lead" },
	{ "R12", rule_r12, RULE_DATA, "lines in the order requests were made: "
	    "intent date, then id" },
	{ "R13", rule_r13, RULE_DATA, "paths are individualised: hours and "
	    "modules per trainee" },
	{ "R14", rule_r14, RULE_DATA, "cost = trainee hours x the lot's hourly "
	    "rate" },
	{ "R15", rule_r15, RULE_DATA, "part-time attendance for trainees with "
	    "a disability" },
	{ "R16", rule_r16, RULE_WARNING, "a withdrawal is recorded and the "
	    "path listed with its follow-up" },
	{ "R17", rule_r17, RULE_ERROR, "a trainee is a job seeker (or an SIAE "
	    "employee), never a company's employee" },
	{ "R18", rule_r18, RULE_DATA, "one invoice per month per lot" },
	{ "R19", rule_r19, RULE_DATA, "a session may combine several "
	    "employers" },
	{ "R20", rule_r20, RULE_DATA, "baseline (socle) sessions need no "
	    "intent and are listed apart" },
};

/* The rules table, R01 to R20. */
const struct rule_def *
rules_table(size_t *n)
{
	*n = nitems(rule_table);
	return rule_table;
}

/* The rule of an id ("R05"), or NULL. */
const struct rule_def *
rules_find(const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < nitems(rule_table); i++)
		if (strcmp(rule_table[i].id, id) == 0)
			return &rule_table[i];
	return NULL;
}

/* Whether a derogation lifts a result: same rule and session, same intent if it names one. */
static bool
derog_matches(const struct rm_derog *d, const struct rule_result *x)
{
	return x->session[0] && strcmp(d->rule, x->rule) == 0 &&
	    strcmp(d->session, x->session) == 0 &&
	    (!d->intent[0] || strcmp(d->intent, x->intent) == 0);
}

/*
 * Marks unfit a derogation about a session whose rule needs the Region's
 * agreement (agreement_subjects) and which cites none that allows what it
 * lifts, and reports why, with the commands that fix it.
 */
static int
check_cited(struct rules_model *m, struct rm_derog *d)
{
	const struct agreement_subject *want = subject_of_rule(d->rule);
	const struct rm_agreement *a = NULL, *fits;
	enum misfit why = FITS;
	const char *what, *hint;
	long ai;

	if (want == NULL || !d->session[0])
		return 0;
	if (d->agreement[0] && (ai = rules_agreement(m, d->agreement)) >= 0)
		a = &m->agreements[ai];
	if (a != NULL && (why = agreement_misfit(a, want, d->session,
	    d->intent)) == FITS)
		return 0;
	d->unfit = true;
	what = !d->agreement[0] ? _("cites no agreement of the Region") :
	    a == NULL ? rules_printf(m, _("cites agreement %s, which is not "
	    "recorded"), d->agreement) : misfit_words(m, a, want, d->session,
	    d->intent, why);
	fits = agreement_fitting(m, want, d->session, d->intent);
	if (why == LACKS)
		hint = rules_printf(m, "consort set agreement %s %s=%s", a->ref,
		    agreement_lacks(a), strcmp(agreement_lacks(a), "date") == 0 ?
		    _("YYYY-MM-DD") : strcmp(agreement_lacks(a), "subject") == 0 ?
		    want->subject : "\"...\"");
	else if (fits != NULL)
		hint = rules_printf(m, _("cite agreement %s, which fits: "
		    "consort set derogation %s agreement=%s"), fits->ref,
		    d->ref, fits->ref);
	else
		hint = rules_printf(m, _("%srecord the Region's agreement and "
		    "cite it: %s; consort set derogation %s agreement=A-%s-%s"),
		    why == WHOLE ? rules_printf(m, _("name its intent (consort "
		    "set derogation %s intent=%s), or "), d->ref, a->intent) :
		    "",
		    add_agreement(m, want, d->session, d->intent), d->ref,
		    want->rule, d->intent[0] ? d->intent : d->session);
	return report(m, d->rule, LEVEL_WARNING, T_derogation, d->ref,
	    d->session, d->intent, "", rules_printf(m, _("derogation %s %s: it "
	    "lifts nothing, since %s is lifted only with the Region's "
	    "agreement on %s"), d->ref, what, d->rule, _(want->words)), hint);
}

/*
 * Turns the errors a derogation covers into warnings naming it.  A
 * derogation without a reason or a date lifts nothing and is reported, as
 * one of a rule that needs the Region's agreement without one that fits.
 */
static int
apply_derogations(struct rules_model *m)
{
	struct rule_result *x;
	struct rm_derog *d;
	size_t i, k, n = m->nresults;
	int rc;

	for (k = 0; k < m->nderogs; k++) {
		d = &m->derogs[k];
		if (d->reason[0] && d->date[0] && rules_find(d->rule) != NULL) {
			if ((rc = check_cited(m, d)) != 0)
				return rc;
			continue;
		}
		if ((rc = report(m, d->rule[0] ? d->rule : "derogation", LEVEL_WARNING,
		    T_derogation, d->ref, d->session, d->intent, "",
		    rules_printf(m, _("derogation %s records no %s: it lifts "
		    "nothing"), d->ref, !d->reason[0] ? "reason" : !d->date[0] ?
		    "date" : "rule"), rules_printf(m, _("consort set derogation "
		    "%s reason=\"...\" date=YYYY-MM-DD"), d->ref))) != 0)
			return rc;
	}
	for (i = 0; i < n; i++) {
		x = &m->results[i];
		if (x->level != LEVEL_ERROR || x->conflict[0] || x->firm)
			continue;
		for (k = 0; k < m->nderogs; k++) {
			d = &m->derogs[k];
			if (!d->reason[0] || !d->date[0] || d->unfit ||
			    !derog_matches(d, x))
				continue;
			x->level = LEVEL_WARNING;
			x->derog = (long)k;
			d->applied++;
			break;
		}
	}
	return 0;
}

struct flag_scan {
	struct rules_model *m;
	unsigned type;
};

/* Keeps a register conflict on a record the model flagged. */
static int
register_one(void *ctx, const struct conflict *c)
{
	struct flag_scan *f = ctx;
	struct rules_model *m = f->m;
	const char *ref, *field;
	const struct schema_field *sf;
	size_t i;
	int rc;

	for (i = 0; i < m->nflags; i++)
		if (m->flags[i].type == c->type &&
		    strlen(m->flags[i].ref) == c->ref_len &&
		    memcmp(m->flags[i].ref, c->ref, c->ref_len) == 0)
			break;
	if (i == m->nflags)
		return 0;
	ref = m->flags[i].ref;
	sf = schema_field(schema_type(c->type), c->field);
	field = sf != NULL ? sf->name : "";
	if ((rc = report(m, "conflict", LEVEL_ERROR, c->type, ref, "", "", "",
	    rules_printf(m, _("%s %s%s%s holds %u competing values (%s "
	    "conflict)"),
	    schema_type(c->type)->name, ref, field[0] ? _(" field ") : "",
	    field,
	    c->n, c->kind), rules_printf(m, _("consort conflicts %s %s lists "
	    "them; consort resolve %s --keep N"), schema_type(c->type)->name,
	    ref, c->id))) != 0)
		return rc;
	memcpy(m->results[m->nresults - 1].conflict, c->id, sizeof(c->id));
	return 0;
}

/*
 * Reports the register conflicts of the records the model flagged, type
 * by type in the order they were flagged, reading those records only.
 */
static int
register_conflicts_of(struct rules_model *m)
{
	struct flag_scan f = { m, 0 };
	bool seen[SCHEMA_MAX_TYPES] = { false };
	const char **refs;
	size_t i, k, n;
	int rc = 0;

	if (m->nflags == 0)
		return 0;
	if ((refs = calloc(m->nflags, sizeof(*refs))) == NULL)
		return E(NOMEM);
	for (i = 0; i < m->nflags && rc == 0; i++) {
		if (m->flags[i].type >= SCHEMA_MAX_TYPES || seen[m->flags[i].type])
			continue;
		seen[m->flags[i].type] = true;
		f.type = m->flags[i].type;
		for (k = i, n = 0; k < m->nflags; k++)
			if (m->flags[k].type == f.type)
				refs[n++] = m->flags[k].ref;
		rc = conflicts_register_of(m->txn, m->s, f.type, refs, n,
		    register_one, &f);
	}
	free(refs);
	return rc;
}

/*
 * Runs every rule of the table on the model, then the derogations, then
 * the register conflicts of its records; counts errors (conflicts apart)
 * and warnings.  txn must be the one the model was loaded in.
 */
int
rules_check(struct store_txn *txn, struct rules_model *m)
{
	const struct rule_result *x;
	size_t i;
	int rc;

	m->txn = txn;
	m->nresults = 0;
	for (i = 0; i < nitems(rule_table); i++)
		if ((rc = rule_table[i].fn(m)) != 0)
			goto out;
	if ((rc = apply_derogations(m)) != 0 ||
	    (rc = register_conflicts_of(m)) != 0)
		goto out;
	m->errors = m->warnings = m->conflicts = 0;
	for (i = 0; i < m->nresults; i++) {
		x = &m->results[i];
		if (x->conflict[0])
			m->conflicts++;
		else if (x->level == LEVEL_ERROR)
			m->errors++;
		else
			m->warnings++;
	}
out:
	m->txn = NULL;
	return rc;
}
