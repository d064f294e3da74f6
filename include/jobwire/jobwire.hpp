// jobwire — umbrella header: the whole core. Store adapters (jobwire/stores/*) are not
// included here, so that including the core never pulls in a database client library.
#pragma once

#include "version.hpp"
#include "error.hpp"
#include "result.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "profile.hpp"
#include "events.hpp"
#include "retry.hpp"
#include "ledger.hpp"
#include "monitor.hpp"
#include "callback_url.hpp"
#include "subscription.hpp"
#include "dedup.hpp"
