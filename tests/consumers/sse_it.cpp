// The SSE server over real HTTP, against the run's Kafka (mock and real) and Postgres:
// auth, tenant isolation, the topics filter, live delivery, resume (after a disconnect
// and across a server restart), heartbeats and the slow-subscriber drop.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "common/metrics.hpp"
#include "consumers/sse/metrics.hpp"
#include "consumers/sse/server.hpp"
#include "consumers/sse/token.hpp"
#include "tests/support/projector_fixture.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kShopA = "alpha.myshopify.com";
constexpr const char* kShopB = "beta.myshopify.com";

std::string webhook_id(const SseEvent& e) {
  std::smatch m;
  std::regex_search(e.data, m, std::regex(R"re("webhook_id":"([^"]*)")re"));
  return m.size() > 1 ? m[1].str() : "";
}

std::vector<std::string> webhook_ids(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(webhook_id(e));
  return out;
}

std::multiset<std::string> as_set(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

struct SseFixture {
  ProjectorFixture kafka;
  Settings settings;
  std::unique_ptr<consumers::sse::SseServer> server;

  explicit SseFixture(std::function<void(Settings&)> tweak = {}) {
    settings = kafka.settings();
    settings.dashboard_secret = "sse-test-secret";
    settings.dashboard_addr = "127.0.0.1:0";
    settings.threads = 2;
    if (tweak) tweak(settings);
    start();
  }
  void start() {
    auto s = consumers::sse::SseServer::start(settings);
    REQUIRE_MESSAGE(s, (s ? "" : s.error().message));
    server = std::move(s.value());
  }
  void restart() {
    server->stop(5s);
    server.reset();
    start();
  }
  std::string token(const std::string& shop, std::int64_t ttl = 3600) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return consumers::sse::mint_token(settings.dashboard_secret, shop, now + ttl);
  }
  std::unique_ptr<SseClient> subscribe(const std::string& shop, const std::string& query = "",
                                       const std::string& headers = "",
                                       std::chrono::milliseconds timeout = 10s) {
    auto target = "/events?shop=" + shop + "&access_token=" + token(shop) + query;
    return std::make_unique<SseClient>(server->port(), target, headers, timeout);
  }
  // Publishes and returns the webhook id the fixture gave the record.
  std::string publish(const std::string& topic, long id, const std::string& shop,
                      const std::string& extra = "") {
    auto wid = "wh-" + std::to_string(kafka.published());
    kafka.publish(
        topic,
        R"({"id":)" + std::to_string(id) + R"(,"updated_at":"2026-11-20T10:00:00Z")" + extra + "}",
        "2026-11-20T10:00:00Z", shop);
    return wid;
  }
};

}  // namespace

TEST_CASE("tokens: 401 without or with a bad one, 403 for another shop's; bad input is a 400") {
  SseFixture f;
  auto port = f.server->port();
  CHECK(SseClient(port, std::string("/events?shop=") + kShopA).status() == 401);
  CHECK(SseClient(port, std::string("/events?shop=") + kShopA + "&access_token=junk").status() ==
        401);
  CHECK(SseClient(port,
                  std::string("/events?shop=") + kShopA + "&access_token=" + f.token(kShopA, -10))
            .status() == 401);  // expired
  CHECK(SseClient(port, std::string("/events?shop=") + kShopA,
                  "Authorization: Bearer " + f.token(kShopB) + "\r\n")
            .status() == 403);
  CHECK(SseClient(port, std::string("/events?shop=") + kShopA + "&access_token=" + f.token(kShopB))
            .status() == 403);
  CHECK(f.subscribe(kShopA, "&topics=orders,nonsense")->status() == 400);
  auto bad_cursor = f.subscribe(kShopA, "", "Last-Event-ID: not-a-cursor\r\n");
  CHECK(bad_cursor->status() == 400);
  CHECK(bad_cursor->error_body().find("bad_cursor") != std::string::npos);
  CHECK(f.subscribe(kShopA, "&last_event_id=AQ")->status() == 400);
  // The bearer header works as well as the query parameter.
  SseClient bearer(port, std::string("/events?shop=") + kShopA,
                   "Authorization: Bearer " + f.token(kShopA) + "\r\n");
  CHECK(bearer.status() == 200);
}

TEST_CASE("live delivery: each shop sees only its own events, filtered by topic") {
  SseFixture f;
  auto all_a = f.subscribe(kShopA);
  auto orders_a = f.subscribe(kShopA, "&topics=orders");
  auto products_customers_a = f.subscribe(kShopA, "&topics=products,customers");
  auto all_b = f.subscribe(kShopB);
  REQUIRE(all_a->status() == 200);
  REQUIRE(orders_a->status() == 200);
  REQUIRE(products_customers_a->status() == 200);
  REQUIRE(all_b->status() == 200);

  auto o1 = f.publish("orders/create", 1001, kShopA, R"(,"name":"#1001")");
  auto p1 = f.publish("products/update", 2001, kShopA);
  auto ob = f.publish("orders/create", 1001, kShopB);
  auto c1 = f.publish("customers/create", 3001, kShopA);
  auto o2 = f.publish("orders/updated", 1001, kShopA);

  auto got_all = all_a->take(4);
  CHECK(as_set(webhook_ids(got_all)) == std::multiset<std::string>{o1, p1, c1, o2});
  // One entity's events keep their order.
  auto order_events = webhook_ids(orders_a->take(2));
  CHECK(order_events == std::vector<std::string>{o1, o2});
  CHECK(as_set(webhook_ids(products_customers_a->take(2))) == std::multiset<std::string>{p1, c1});
  auto b = all_b->take(1);
  CHECK(webhook_ids(b) == std::vector<std::string>{ob});

  // The contract's fields.
  const SseEvent* first = nullptr;
  for (const auto& e : got_all)
    if (webhook_id(e) == o1) first = &e;
  REQUIRE(first);
  CHECK(first->event == "orders/create");
  CHECK_FALSE(first->id.empty());
  for (auto field : {R"("topic":"orders/create")", R"("shop_domain":"alpha.myshopify.com")",
                     R"("id":1001)", R"("source":"webhook")", R"("received_at":"20)",
                     R"("payload":{"id":1001,)", R"("name":"#1001")"})
    CHECK_MESSAGE(first->data.find(field) != std::string::npos, field);

  // Nothing else arrives: a later event for B is the next thing B sees, and A's
  // subscribers see none of B's.
  auto ob2 = f.publish("orders/updated", 1001, kShopB);
  CHECK(webhook_ids(all_b->take(1)) == std::vector<std::string>{ob2});
  auto o3 = f.publish("orders/updated", 1001, kShopA);
  CHECK(webhook_ids(orders_a->take(1)) == std::vector<std::string>{o3});
  CHECK(webhook_ids(all_a->take(1)) == std::vector<std::string>{o3});
}

TEST_CASE("resume after a disconnect delivers exactly the missed events, then live ones") {
  SseFixture f;
  auto sub = f.subscribe(kShopA);
  REQUIRE(sub->status() == 200);
  std::vector<std::string> sent;
  for (long i = 0; i < 3; ++i) sent.push_back(f.publish("orders/create", 100 + i, kShopA));
  auto first = sub->take(3);
  REQUIRE(first.size() == 3);
  sub.reset();  // disconnect

  std::vector<std::string> missed;
  for (long i = 3; i < 8; ++i) {
    missed.push_back(f.publish("orders/create", 100 + i, kShopA));
    f.publish("orders/create", 100 + i, kShopB);  // another shop's, interleaved
  }
  auto resumed = f.subscribe(kShopA, "", "Last-Event-ID: " + first.back().id + "\r\n");
  REQUIRE(resumed->status() == 200);
  auto replay = resumed->take(5);
  CHECK(as_set(webhook_ids(replay)) == as_set(missed));
  auto live = f.publish("orders/updated", 100, kShopA);
  auto next = resumed->take(1);
  CHECK(webhook_ids(next) == std::vector<std::string>{live});  // no duplicate before it

  // From an earlier cursor (query parameter this time): everything after that event.
  auto earlier = f.subscribe(kShopA, "&last_event_id=" + first.front().id);
  REQUIRE(earlier->status() == 200);
  std::vector<std::string> expected = {sent[1], sent[2]};
  expected.insert(expected.end(), missed.begin(), missed.end());
  expected.push_back(live);
  auto again = earlier->take(expected.size());
  CHECK(as_set(webhook_ids(again)) == as_set(expected));
  // Each cursor it handed out resumes exactly after its event.
  auto mid = f.subscribe(kShopA, "&last_event_id=" + again[3].id);
  auto rest = mid->take(again.size() - 4);
  std::vector<std::string> tail;
  for (std::size_t i = 4; i < again.size(); ++i) tail.push_back(webhook_id(again[i]));
  CHECK(webhook_ids(rest) == tail);
  auto& resumes = consumers::sse::SseMetrics::get().resumes;
  CHECK(wait_until([&] { return resumes.Add({{"result", "ok"}}).Value() >= 3; }, 10s));
}

TEST_CASE("resume across an SSE server restart misses nothing published while it was down") {
  SseFixture f;
  auto sub = f.subscribe(kShopA, "&topics=orders");
  auto idle = f.subscribe(kShopA, "&topics=customers");  // will see no event at all
  REQUIRE(sub->status() == 200);
  REQUIRE(idle->status() == 200);
  f.publish("orders/create", 1, kShopB);
  f.publish("orders/create", 1, kShopA);
  auto seen = sub->take(1);
  REQUIRE(seen.size() == 1);
  // The idle one still holds a cursor: the server sends one when the stream starts.
  CHECK_FALSE(idle->next(200ms));
  auto idle_cursor = idle->last_id();
  REQUIRE_FALSE(idle_cursor.empty());
  f.server->stop(5s);
  CHECK(sub->wait_closed(10s));
  f.server.reset();
  std::vector<std::string> during;
  for (long i = 2; i < 6; ++i) during.push_back(f.publish("orders/create", i, kShopA));
  f.publish("products/create", 9, kShopA);  // filtered out on resume too
  f.start();
  auto resumed = f.subscribe(kShopA, "&topics=orders", "Last-Event-ID: " + seen[0].id + "\r\n");
  REQUIRE(resumed->status() == 200);
  CHECK(as_set(webhook_ids(resumed->take(4))) == as_set(during));
  auto after = f.publish("orders/create", 7, kShopA);
  CHECK(webhook_ids(resumed->take(1)) == std::vector<std::string>{after});
  // From the start-of-stream cursor: the first order, the ones during the restart, the
  // product, and the last order.
  auto from_start = f.subscribe(kShopA, "", "Last-Event-ID: " + idle_cursor + "\r\n");
  REQUIRE(from_start->status() == 200);
  CHECK(from_start->take(7).size() == 7);
}

TEST_CASE("a reconnect storm: many subscribers resume at once, each from its own cursor") {
  SseFixture f;
  constexpr int kClients = 24;
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(f.subscribe(i % 2 ? kShopA : kShopB));
    REQUIRE(clients.back()->status() == 200);
  }
  std::vector<std::string> a, b;  // per shop, in publishing order
  for (long i = 0; i < 5; ++i) {
    a.push_back(f.publish("orders/create", 700 + i, kShopA));
    b.push_back(f.publish("customers/create", 800 + i, kShopB));
  }
  // Client i stops after seeing (i % 5) + 1 of its shop's events: a different cursor each.
  std::vector<std::string> cursors;
  std::vector<std::multiset<std::string>> seen(kClients);
  for (int i = 0; i < kClients; ++i) {
    auto got = clients[i]->take(static_cast<std::size_t>(i % 5 + 1));
    REQUIRE(got.size() == static_cast<std::size_t>(i % 5 + 1));
    cursors.push_back(got.back().id);
    for (const auto& e : got) seen[i].insert(webhook_id(e));
  }
  clients.clear();
  f.restart();
  for (long i = 5; i < 8; ++i) {
    a.push_back(f.publish("orders/create", 700 + i, kShopA));
    b.push_back(f.publish("customers/create", 800 + i, kShopB));
  }
  for (int i = 0; i < kClients; ++i)
    clients.push_back(
        f.subscribe(i % 2 ? kShopA : kShopB, "", "Last-Event-ID: " + cursors[i] + "\r\n"));
  for (int i = 0; i < kClients; ++i) {
    const auto& all = i % 2 ? a : b;
    std::multiset<std::string> missed;
    for (const auto& id : all)
      if (!seen[i].count(id)) missed.insert(id);
    CAPTURE(i);
    REQUIRE(clients[i]->status() == 200);
    CHECK(as_set(webhook_ids(clients[i]->take(missed.size()))) == missed);
  }
  // And nothing more: the next live event is the next thing every client sees.
  auto live_a = f.publish("orders/updated", 700, kShopA);
  auto live_b = f.publish("customers/update", 800, kShopB);
  for (int i = 0; i < kClients; ++i)
    CHECK(webhook_ids(clients[i]->take(1)) == std::vector<std::string>{i % 2 ? live_a : live_b});
}

TEST_CASE("a cursor older than retention resumes from the oldest retained event and says so") {
  SseFixture f;
  auto sub = f.subscribe(kShopA, "&topics=orders");
  REQUIRE(sub->status() == 200);
  auto e1 = f.publish("orders/create", 4242, kShopA);
  auto seen = sub->take(1);
  REQUIRE(seen.size() == 1);
  sub.reset();
  auto e2 = f.publish("orders/updated", 4242, kShopA);  // same entity: same partition
  auto e3 = f.publish("orders/updated", 4242, kShopA);
  auto topic = f.settings.topic_prefix + "orders";
  ConsumedRecord r3;
  for (auto& r : read_topic(f.settings.kafka_brokers, topic))
    if (r.headers["x-shopify-webhook-id"] == e3) r3 = r;
  REQUIRE(r3.partition >= 0);
  // Retention takes e1 and e2 (the mock cluster may take e3 as well).
  auto low = TestKafka::get().drop_before(topic, r3.partition, r3.offset);
  REQUIRE(low >= r3.offset);
  auto& truncated = consumers::sse::SseMetrics::get().resumes.Add({{"result", "truncated"}});
  auto truncated_before = truncated.Value();

  auto resumed = f.subscribe(kShopA, "&topics=orders", "Last-Event-ID: " + seen[0].id + "\r\n");
  REQUIRE(resumed->status() == 200);
  auto e4 = f.publish("orders/updated", 4242, kShopA);
  auto got = webhook_ids(resumed->take(low > r3.offset ? 1 : 2));
  std::vector<std::string> expected;
  if (low == r3.offset) expected.push_back(e3);
  expected.push_back(e4);
  CHECK(got == expected);  // nothing lost that was still retained; e2 is gone
  CHECK(resumed->comment_seen("older than Kafka retention", 5s));
  CHECK(truncated.Value() == truncated_before + 1);
  (void)e1;
  (void)e2;
}

TEST_CASE(
    "with nobody subscribed the hub pauses; then a new subscriber starts at the ends, "
    "and a resume gets what was published meanwhile") {
  SseFixture f([](Settings& s) { s.sse_idle_pause = 200ms; });
  auto& paused = consumers::sse::SseMetrics::get().hub_paused;
  std::string last_id;
  {
    auto first = f.subscribe(kShopA);
    REQUIRE(first->status() == 200);
    auto e0 = f.publish("orders/create", 7001, kShopA);
    auto seen = first->take(1);
    REQUIRE(seen.size() == 1);
    CHECK(webhook_id(seen[0]) == e0);
    last_id = seen[0].id;
  }  // the only subscriber goes
  REQUIRE(wait_until([&] { return paused.Value() == 1; }, 30s));
  auto e1 = f.publish("orders/create", 7002, kShopA);  // read by nobody while paused
  auto fresh = f.subscribe(kShopA);
  REQUIRE(fresh->status() == 200);  // its answer waits until the hub reads again
  CHECK(paused.Value() == 0);
  auto e2 = f.publish("orders/create", 7003, kShopA);
  auto live = fresh->take(1);
  REQUIRE(live.size() == 1);
  CHECK(webhook_id(live[0]) == e2);  // e1 came before it subscribed
  auto resumed = f.subscribe(kShopA, "", "Last-Event-ID: " + last_id + "\r\n");
  REQUIRE(resumed->status() == 200);
  CHECK(as_set(webhook_ids(resumed->take(2))) == as_set({e1, e2}));  // nothing lost
  auto e3 = f.publish("orders/create", 7004, kShopA);
  auto next = resumed->take(1);
  REQUIRE(next.size() == 1);
  CHECK(webhook_id(next[0]) == e3);  // nor repeated
}

TEST_CASE(
    "a paused hub that cannot read Kafka again refuses a new subscriber with a 503 and "
    "Retry-After, and serves the next one once Kafka is back") {
  SseFixture f([](Settings& s) { s.sse_idle_pause = 200ms; });
  auto& paused = consumers::sse::SseMetrics::get().hub_paused;
  auto& kafka = TestKafka::get();
  REQUIRE(f.subscribe(kShopA)->status() == 200);  // and goes at once
  REQUIRE(wait_until([&] { return paused.Value() == 1; }, 30s));
  kafka.stop_broker();
  // Answered after the hub's join patience (5 s) and its failing attempt to read the ends.
  auto refused = f.subscribe(kShopA, "", "", 60s);
  kafka.start_broker();
  REQUIRE(refused->status() == 503);
  CHECK(refused->head().find("Retry-After: 5") != std::string::npos);
  CHECK(refused->error_body().find("kafka_unreachable") != std::string::npos);
  CHECK(refused->wait_closed(10s));
  // Whoever comes once Kafka answers again waits for the hub to read, then gets live events.
  std::unique_ptr<SseClient> back;
  REQUIRE(wait_until(
      [&] {
        back = f.subscribe(kShopA, "", "", 60s);
        return back->status() == 200;
      },
      180s));
  CHECK(paused.Value() == 0);
  auto e = f.publish("orders/create", 7101, kShopA);
  auto live = back->take(1);
  REQUIRE(live.size() == 1);
  CHECK(webhook_id(live[0]) == e);
}

TEST_CASE("a resume while Kafka is unreachable fails in bounded time and is counted") {
  SseFixture f;
  auto& kafka = TestKafka::get();
  auto& failed = consumers::sse::SseMetrics::get().resumes.Add({{"result", "failed"}});
  auto live = f.subscribe(kShopA);  // keeps the hub reading: this is catch-up's path
  REQUIRE(live->status() == 200);
  auto e0 = f.publish("orders/create", 7201, kShopA);
  auto e1 = f.publish("orders/create", 7201, kShopA);  // same key: same partition, in order
  auto seen = live->take(2);
  REQUIRE(seen.size() == 2);
  REQUIRE(webhook_id(seen[0]) == e0);
  REQUIRE(webhook_id(seen[1]) == e1);
  const auto failed_before = failed.Value();
  kafka.stop_broker();
  // From the cursor between the two: catch-up must ask Kafka for the oldest offsets.
  auto resumed = f.subscribe(kShopA, "", "Last-Event-ID: " + seen[0].id + "\r\n");
  const bool closed = resumed->wait_closed(60s);  // catch-up gives up after its 10 s
  kafka.start_broker();
  CHECK(resumed->status() == 200);
  CHECK(closed);
  CHECK(failed.Value() == failed_before + 1);
}

TEST_CASE("heartbeats arrive as comments") {
  SseFixture f([](Settings& s) { s.sse_heartbeat = 200ms; });
  auto sub = f.subscribe(kShopA);
  REQUIRE(sub->status() == 200);
  CHECK(sub->comment_seen("heartbeat", 5s));
}

TEST_CASE("a slow subscriber is dropped without delaying a fast one") {
  // The fast reader is kept at most one 1 MiB chunk behind (the next chunk is published
  // once it has read the last), so its 2 MiB buffer can never fill, however slow the
  // machine or the sanitizers; the stalled reader's 32 MiB outgrow its kernel buffers and
  // ours. (Publishing all at once once let a slowed fast reader overflow as well.)
  SseFixture f([](Settings& s) { s.sse_buffer_bytes = 2 * 1024 * 1024; });
  auto& dropped = consumers::sse::SseMetrics::get().dropped_slow;
  auto dropped_before = dropped.Value();
  auto slow = f.subscribe(kShopA);
  auto fast = f.subscribe(kShopA);
  REQUIRE(slow->status() == 200);
  REQUIRE(fast->status() == 200);
  std::string filler(64 * 1024, 'x');
  const int chunks = 32, per_chunk = 16;
  std::vector<SseEvent> received;
  std::vector<std::string> sent;
  for (int c = 0; c < chunks; ++c) {
    for (int i = 0; i < per_chunk; ++i)
      sent.push_back(f.publish("products/update", 5000 + c * per_chunk + i, kShopA,
                               R"(,"body_html":")" + filler + "\""));
    auto got = fast->take(per_chunk, 60s);
    received.insert(received.end(), got.begin(), got.end());
    REQUIRE(received.size() == sent.size());
  }
  CHECK(as_set(webhook_ids(received)) == as_set(sent));
  CHECK(wait_until([&] { return dropped.Value() > dropped_before; }, 30s));
  CHECK(slow->socket().wait_closed(60s));  // once it reads what the kernel holds, it sees EOF
}
