/*
 * crmweaver/gen.h: the synthetic org generator.
 *
 * crmw_gen() writes a complete org database for a profile:
 *  - "crmarena": a B2C retailer of sports apparel and equipment (the 16
 *    objects of the CRMArena org);
 *  - "b2b": a company selling engineering software and hardware to
 *    businesses (the 27 objects of CRMArena-Pro, with leads, opportunities,
 *    quotes, contracts, territories, tasks, events and voice calls);
 *  - "b2c": consumer sales of home electronics (the same 27 objects).
 *
 * Hidden latent variables (agent skill and speed per issue, transfer
 * habits, workload; customer complaint habits and channel preference;
 * product defect profiles and seasonal spikes; regional closure speed;
 * planted policy violations; lead BANT factors; opportunity stages versus
 * their activities; quotes that break pricing rules; confidential articles)
 * shape the data and are kept in crmw_latent_* tables that no query, tool
 * or describe shows (docs/generator.md).
 *
 * The same profile, seed and scale give the same database content, byte for
 * byte, on every run, whatever the thread count.  No language model is involved: text comes from this
 * project's grammars and vocabularies.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_GEN_H
#define CRMWEAVER_GEN_H

#include <crmweaver/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Progress of a long operation: `stage` names the step ("cases"), `done`
 * and `total` count its items (total 0: unknown).  Return non-zero to abort
 * (the operation then fails with CRMW_EUSER).  Runs on the calling thread.
 * @since 0.1
 */
typedef int (*crmw_progress_fn)(const char *stage, int64_t done, int64_t total, void *userdata);

/**
 * Generate an org database at `path`.  `options_json` (NULL for defaults) is
 * a JSON object with:
 *  - "profile": "crmarena" (default), "b2b" or "b2c";
 *  - "seed": an integer (default 1);
 *  - "scale": a positive number multiplying every record count (default 1:
 *    about 1,000 cases, 2,000 orders, 70,000 order items, 20,000 price book
 *    entries, 3,000 e-mails, 200 agents and 200 knowledge articles);
 *  - "now": the org's reference "now", YYYY-MM-DDTHH:MM:SSZ (default
 *    2024-10-01T00:00:00Z); the data covers the two years before it;
 *  - "overwrite": true to replace an existing file (default false);
 *  - "threads": 2 (default) generates on a helper thread while the calling
 *    thread writes; 1 does both on the calling thread; 1 to 64 are accepted
 *    and more than 2 act as 2.  The content does not depend on it.
 * `progress` (may be NULL) is called as the work advances, on the calling
 * thread.
 * On failure nothing is left at `path`.
 * @return CRMW_OK, CRMW_EINVALID (bad options), CRMW_EEXISTS, CRMW_EUSER
 *         (aborted by the progress callback), CRMW_EIO, CRMW_ENOMEM
 * @since 0.1
 */
CRMW_API int crmw_gen(const char *path, const char *options_json, crmw_progress_fn progress,
		      void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* CRMWEAVER_GEN_H */
