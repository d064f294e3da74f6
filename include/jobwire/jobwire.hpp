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
#include "calendar.hpp"
#include "signature.hpp"
#include "freshness.hpp"
#include "headers.hpp"
#include "delivery_meta.hpp"
#include "verify.hpp"
#include "retry.hpp"
#include "ledger.hpp"
#include "monitor.hpp"
#include "callback_url.hpp"
#include "subscription.hpp"
#include "dedup.hpp"
