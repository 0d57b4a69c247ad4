#include "consumers/sse/frame.hpp"

#include "common/log.hpp"

namespace shopstream::consumers::sse {
namespace {

void add_field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  log::append_json_string(out, value);
}

bool is_small_number(std::string_view s) {
  if (s.empty() || s.size() > 15 || (s.size() > 1 && s.front() == '0')) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void add_payload(std::string& out, std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (body[first] != '{' && body[first] != '[')) {
    log::append_json_string(out, body);  // not JSON: still one line, still delivered
    return;
  }
  // In JSON a raw CR or LF can only be whitespace between tokens (inside strings they are
  // escaped), so turning them into spaces keeps the document and makes it one line.
  auto start = out.size();
  out += body;
  for (auto i = start; i < out.size(); ++i)
    if (out[i] == '\n' || out[i] == '\r') out[i] = ' ';
}

}  // namespace

std::string_view entity_of_key(std::string_view key) {
  auto slash = key.find('/');
  return slash == std::string_view::npos ? std::string_view{} : key.substr(slash + 1);
}

std::string format_event(const projections::Event& event, std::string_view cursor) {
  std::string out;
  out.reserve(event.value.size() + 512);
  out += "id: ";
  out += cursor;
  out += "\nevent: ";
  for (char c : event.shopify_topic()) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  out += "\ndata: {\"topic\":";
  log::append_json_string(out, event.shopify_topic());
  add_field(out, "shop_domain", event.shop_domain());
  auto id = entity_of_key(event.key);
  if (is_small_number(id)) {
    out += ",\"id\":";
    out += id;
  } else {
    add_field(out, "id", id);
  }
  const auto& source = event.header("shopstream-source");
  add_field(out, "source", source.empty() ? "webhook" : source);
  add_field(out, "received_at", event.header("shopstream-received-at"));
  add_field(out, "webhook_id", event.header("x-shopify-webhook-id"));
  add_field(out, "triggered_at", event.header("x-shopify-triggered-at"));
  out += ",\"payload\":";
  add_payload(out, event.value);
  out += "}\n\n";
  return out;
}

std::optional<std::string> with_cursor_at_least(std::string_view frame, const Position& floor) {
  auto newline = frame.find('\n');
  auto cursor = frame.starts_with("id: ") && newline != std::string_view::npos
                    ? decode_cursor(frame.substr(4, newline - 4))
                    : std::nullopt;
  if (cursor && cursor->covers(floor)) return std::nullopt;
  auto raised = cursor ? Position::max(*cursor, floor) : floor;
  std::string out = "id: " + encode_cursor(raised);
  out += frame.substr(newline == std::string_view::npos ? frame.size() : newline);
  return out;
}

std::string format_comment(std::string_view text) {
  std::string out = ": ";
  for (char c : text) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
  out += "\n\n";
  return out;
}

}  // namespace shopstream::consumers::sse
