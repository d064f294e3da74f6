// jobwire — typed, validated, zero-copy views of job payloads (PROTOCOL.md §4, §5, §6, §10).
//
// Four documents: the create response (§4), the status object (§5), the webhook delivery
// envelope (§10) and websocket server messages (§6). Each parser validates the JSON text
// (json.hpp, strict), walks every member once, type-checks every field it knows and
// ignores every field it does not (the service adds fields over time). The views it
// returns point into the caller's buffer: nothing is copied, nothing allocates, and they
// are valid only while that buffer is.
//
// Errors carry a precise code and, where there is one, the byte offset of the offending
// value (a missing field reports the offset of the object that lacks it).
//
// Fields the service sends in more than one type are accepted in each: `created_at` and
// the other timestamps (Unix seconds or ISO-8601 string), `error` (string or
// `{message}`), `seconds` (number or string). `null` is accepted for every optional field
// and reads as absent.
#pragma once

// One header per document; this one includes them all.
#include "create_response.hpp"  // §4
#include "envelope.hpp"         // §10
#include "job_data.hpp"         // §10 `data`
#include "payload_fields.hpp"   // options, field holders, the reader and the declared field tables
#include "status_object.hpp"    // §5
#include "webhook_object.hpp"   // §10 `data.webhook`
#include "ws_message.hpp"       // §6
