// Projector benchmark: order events applied into Postgres per second, against a naive
// baseline (one event per transaction, single-row statements) measured in the same run.
// Usage: projector_bench --database-url URL --brokers HOST:PORT --body FILE
//                        [--events N] [--baseline-events M] [--runs R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/config.hpp"
#include "common/kafka/producer.hpp"
#include "common/metrics.hpp"
#include "common/routing.hpp"
#include "common/units.hpp"
#include "consumers/command.hpp"
#include "projections/decode.hpp"
#include "schemas/migrations.hpp"

using namespace shopstream;
using Clock = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return def;
}

// A whole number above 0, or a line naming the flag and exit 2.
long count_arg(int argc, char** argv, const std::string& name, const std::string& def) {
  auto text = arg(argc, argv, name, def);
  auto n = parse_int(text);
  if (!n || *n < 1) {
    std::fprintf(stderr, "projector_bench: --%s must be a whole number above 0, not '%s'\n",
                 name.c_str(), text.c_str());
    std::exit(2);
  }
  return static_cast<long>(*n);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
}

// The template order (tools/bench/make_order.sh) with order and line item ids made unique.
std::string order_body(const std::string& tmpl, long n) {
  std::string b = tmpl;
  replace_all(b, "5803297472612", std::to_string(7000000000000 + n));
  for (int k = 1; k <= 3; ++k)
    replace_all(b, "46617026012345" + std::to_string(k),
                std::to_string(90000000000000 + n * 10 + k));
  return b;
}

std::string fresh_db(const std::string& base, const std::string& name) {
  pqxx::connection c(base);
  pqxx::nontransaction tx(c);
  tx.exec("DROP DATABASE IF EXISTS " + c.quote_name(name));
  tx.exec("CREATE DATABASE " + c.quote_name(name));
  auto url = base.substr(0, base.rfind('/') + 1) + name;
  auto m = schemas::migrate(url);
  if (!m) throw std::runtime_error(m.error().message);
  return url;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Ours: pre-produce N events, start the projector, time first commit → caught up.
double run_projector(const std::string& base_url, const std::string& brokers,
                     const std::string& tmpl, long events, int run) {
  std::string prefix = "bench" + std::to_string(run) + "_" + std::to_string(::getpid()) + ".";
  Settings s;
  s.kafka_brokers = brokers;
  s.topic_prefix = prefix;
  s.projector_group = "bench-" + prefix;
  s.database_url = fresh_db(base_url, "bench_ours");
  auto producer = kafka::Producer::create({.brokers = brokers}).value();
  if (auto e = producer->ensure_topics(routing::all_topics(prefix), 6, 1, std::chrono::seconds(30)))
    throw std::runtime_error(e->message);
  std::atomic<long> failed{0};
  for (long n = 0; n < events; ++n) {
    auto body = order_body(tmpl, n);
    kafka::Record r{prefix + "orders",
                    "bench.myshopify.com/" + std::to_string(n),
                    body,
                    {{"x-shopify-topic", "orders/create"},
                     {"x-shopify-shop-domain", "bench.myshopify.com"},
                     {"x-shopify-webhook-id", "b" + std::to_string(n)},
                     {"x-shopify-triggered-at", "2026-11-20T21:15:04-05:00"},
                     {"shopstream-source", "webhook"}}};
    while (auto err = producer->produce(r, [&](const kafka::Delivery& d) { failed += !d.ok(); })) {
      if (!err->retryable) throw std::runtime_error(err->message);
      producer->flush(std::chrono::milliseconds(100));  // queue full: let it drain
    }
  }
  if (producer->flush(std::chrono::seconds(120)) != 0 || failed)
    throw std::runtime_error("pre-producing failed");

  pqxx::connection c(s.database_url);
  auto progress = [&] {
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT coalesce(sum(next_offset), 0) FROM shopstream.consumer_offsets")[0]
        .as<long>();
  };
  auto projector = consumers::BackgroundProjector::start(s);
  if (!projector) throw std::runtime_error(projector.error().message);
  long first = 0;
  Clock::time_point t0;
  while ((first = progress()) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  t0 = Clock::now();
  while (progress() < events) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  projector.value().reset();
  if (std::getenv("BENCH_VERBOSE")) {
    auto text = metrics::render();
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("shopstream_projector_transaction_seconds_sum", 0) == 0 ||
          line.rfind("shopstream_projector_transaction_seconds_count", 0) == 0 ||
          line.rfind("shopstream_projector_batch_size_sum", 0) == 0)
        std::fprintf(stderr, "%s\n", line.c_str());
    std::fprintf(stderr, "wall %.3f s for %ld events\n", secs, events - first);
  }
  return (events - first) / secs;
}

// Naive: one transaction per event, one statement per row.
double run_naive(const std::string& base_url, const std::string& tmpl, long events) {
  auto url = fresh_db(base_url, "bench_naive");
  pqxx::connection c(url);
  auto start = Clock::now();
  for (long n = 0; n < events; ++n) {
    auto o = projections::decode_order(order_body(tmpl, n));
    if (!o) throw std::runtime_error(o.error().message);
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO shopstream.orders (shop_domain, id, name, email, customer_id, currency, "
        "subtotal_price, total_price, total_tax, total_discounts, total_shipping, "
        "financial_status, "
        "test, created_at, local_date, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
        "$13,$14,$15,$16) ON CONFLICT (shop_domain, id) DO UPDATE SET total_price = "
        "EXCLUDED.total_price, "
        "updated_at = EXCLUDED.updated_at WHERE shopstream.orders.updated_at <= "
        "EXCLUDED.updated_at",
        "bench.myshopify.com", o->id, o->name, o->email, *o->customer_id, o->currency,
        o->subtotal_price, o->total_price, o->total_tax, o->total_discounts, o->total_shipping,
        o->financial_status, o->test, o->created_at, o->created_at.substr(0, 10), o->updated_at);
    tx.exec_params(
        "DELETE FROM shopstream.order_line_items WHERE shop_domain = $1 AND order_id = $2",
        "bench.myshopify.com", o->id);
    for (const auto& li : o->line_items)
      tx.exec_params(
          "INSERT INTO shopstream.order_line_items (shop_domain, id, order_id, product_id, "
          "variant_id, "
          "title, sku, quantity, price, total_discount) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
          "bench.myshopify.com", li.id, o->id, *li.product_id, *li.variant_id, li.title, li.sku,
          li.quantity, li.price, li.total_discount);
    tx.exec_params(
        "INSERT INTO shopstream.consumer_offsets (consumer_group, topic, partition, next_offset) "
        "VALUES ('naive', 'orders', 0, $1) ON CONFLICT (consumer_group, topic, partition) "
        "DO UPDATE SET next_offset = EXCLUDED.next_offset",
        n + 1);
    tx.commit();
  }
  return events / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int run(int argc, char** argv) {
  auto url = arg(argc, argv, "database-url", "");
  auto brokers = arg(argc, argv, "brokers", "");
  auto body_file = arg(argc, argv, "body", "");
  long events = count_arg(argc, argv, "events", "50000");
  long naive_events = count_arg(argc, argv, "baseline-events", "3000");
  int runs = static_cast<int>(count_arg(argc, argv, "runs", "3"));
  if (url.empty() || brokers.empty() || body_file.empty()) {
    std::fprintf(stderr,
                 "usage: projector_bench --database-url URL --brokers HOST:PORT --body FILE "
                 "[--events N] [--baseline-events M] [--runs R]\n");
    return 2;
  }
  std::ifstream in(body_file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string tmpl = ss.str();
  while (!tmpl.empty() && tmpl.back() == '\n') tmpl.pop_back();
  std::vector<double> ours, naive;
  for (int r = 1; r <= runs; ++r) {
    ours.push_back(run_projector(url, brokers, tmpl, events, r));
    naive.push_back(run_naive(url, tmpl, naive_events));
    std::printf("run %d: projector %.0f events/s, naive %.0f events/s, ratio %.1f\n", r,
                ours.back(), naive.back(), ours.back() / naive.back());
    std::fflush(stdout);
  }
  std::printf(
      "\nmedian of %d runs (%ld events, %zu-byte orders/create with 3 line items, "
      "synchronous_commit on):\n  projector %.0f events/s\n  naive baseline %.0f events/s\n"
      "  ratio %.1f\n",
      runs, events, tmpl.size(), median(ours), median(naive), median(ours) / median(naive));
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "projector_bench: %s\n", e.what());
    return 1;
  }
}
