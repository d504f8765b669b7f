/*
 * lib/backends/internal.h: what the built-in backends (memory policy, HTTP,
 * replay, gold) build on: the public ABI, the common helpers, the agent's
 * narrow surface for backends (agent/backend_api.h) and, for the gold and
 * memory-policy backends, the task module's gold runner and answer text.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMW_BACKENDS_INTERNAL_H
#define CRMW_BACKENDS_INTERNAL_H

#include "agent/backend_api.h"
#include "common/internal.h"
#include "common/json.h"
#include <crmweaver/backends.h>

#endif
