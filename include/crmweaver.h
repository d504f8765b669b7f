/*
 * crmweaver.h: the umbrella header of libcrmweaver.  Include this one; it
 * pulls in every public module header under crmweaver/.
 *
 * Build flags:   pkg-config --cflags --libs crmweaver
 * Documentation: docs/ARCHITECTURE.md, docs/abi.md and each module header.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef CRMWEAVER_H
#define CRMWEAVER_H

#include <crmweaver/version.h>
#include <crmweaver/common.h>
#include <crmweaver/schema.h>
#include <crmweaver/store.h>
#include <crmweaver/access.h>
#include <crmweaver/query.h>
#include <crmweaver/gen.h>
#include <crmweaver/tools.h>
#include <crmweaver/tasks.h>
#include <crmweaver/memory.h>
#include <crmweaver/backend.h>
#include <crmweaver/agent.h>
#include <crmweaver/backends.h>
#include <crmweaver/env.h>

#endif /* CRMWEAVER_H */
