#include "consumers/sse/hub.hpp"

#include <malloc.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <future>
#include <iterator>

#include "common/kafka/message.hpp"
#include "common/log.hpp"
#include "common/routing.hpp"
#include "consumers/sse/edges.hpp"
#include "consumers/sse/frame.hpp"
#include "consumers/sse/metrics.hpp"
#include "projections/event.hpp"

namespace shopstream::consumers::sse {
namespace net = boost::asio;

namespace {
constexpr std::size_t kMaxBatch = 1000;
constexpr routing::Stream kStreamOrder[kStreams] = {
    routing::Stream::kOrders, routing::Stream::kProducts, routing::Stream::kCustomers,
    routing::Stream::kCompliance};
}  // namespace

void Shard::add(const std::shared_ptr<Subscriber>& s) {
  by_shop_[s->shop()].push_back(s);
  ++count_;
}

void Shard::remove(Subscriber* s) {
  auto it = by_shop_.find(s->shop());
  if (it == by_shop_.end()) return;
  auto& list = it->second;
  auto pos = std::find_if(list.begin(), list.end(), [s](const auto& p) { return p.get() == s; });
  if (pos == list.end()) return;
  // Keep the subscriber alive until this call returns: it may be the caller.
  auto keep = std::move(*pos);
  *pos = std::move(list.back());
  list.pop_back();
  --count_;
  if (list.empty()) by_shop_.erase(it);
  hub_.leave();
}

const Frame& LazyFrame::get(const Position& after) {
  std::call_once(once_, [&] {
    auto event = projections::Event::from_message(message_.get());
    frame_ = std::make_shared<const std::string>(format_event(event, encode_cursor(after)));
    message_.reset();  // the frame holds all of it now
  });
  return frame_;
}

void Shard::on_batch(const Batch& batch) {
  if (by_shop_.empty()) {
    position_ = batch.end;
    return;
  }
  for (const auto& record : batch.records) {
    // Kept exact record by record: a frame's cursor is the position right after it.
    position_.offsets[record.stream][static_cast<std::size_t>(record.partition)] =
        record.offset + 1;
    auto it = by_shop_.find(record.shop);
    if (it == by_shop_.end()) continue;
    Item item{record.frame->get(position_), record.shop, record.stream, record.partition,
              record.offset};
    // Copy: a delivery may close (and remove) a subscriber.
    auto list = it->second;
    for (const auto& s : list) s->deliver(item);
  }
  position_ = batch.end;
}

void Shard::broadcast(const Frame& frame) {
  std::vector<std::shared_ptr<Subscriber>> all;
  all.reserve(count_);
  for (const auto& [shop, list] : by_shop_) all.insert(all.end(), list.begin(), list.end());
  for (const auto& s : all) s->send(frame);
}

void Shard::close_all() {
  std::vector<std::shared_ptr<Subscriber>> all;
  for (const auto& [shop, list] : by_shop_) all.insert(all.end(), list.begin(), list.end());
  for (const auto& s : all) s->close();
}

Result<std::unique_ptr<Hub>> Hub::start(const HubOptions& options, IoPool& pool) {
  std::unique_ptr<Hub> hub(new Hub());
  hub->options_ = options;
  auto reader_options = options.reader;
  reader_options.client_id = "shopstream-sse";
  auto reader = kafka::Reader::create(reader_options);
  if (!reader) return reader.error();
  hub->reader_ = std::move(reader.value());
  for (std::size_t s = 0; s < kStreams; ++s) {
    auto topic = routing::topic_name(options.topic_prefix, kStreamOrder[s]);
    auto count = hub->reader_->partition_count(topic, std::chrono::seconds(10));
    if (!count) return count.error();
    hub->topics_.push_back(topic);
    hub->partitions_.push_back(count.value());
    hub->stream_of_topic_[topic] = static_cast<std::uint8_t>(s);
  }
  auto ends = hub->read_ends(std::chrono::seconds(10));
  if (!ends) return ends.error();
  hub->position_ = std::move(ends.value());
  if (auto err = hub->assign_at(hub->position_)) return *err;
  for (std::size_t i = 0; i < pool.size(); ++i)
    hub->shards_.push_back(std::make_unique<Shard>(pool.next(), hub->position_, *hub));
  SseMetrics::get().hub_paused.Set(0);  // reading (a hub before this one may have paused)
  hub->thread_ = std::thread([h = hub.get()] { h->run(); });
  return hub;
}

Hub::~Hub() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<Position> Hub::read_ends(std::chrono::milliseconds timeout) {
  return edge_position(*reader_, topics_, partitions_, kafka::Reader::Edge::kNext, timeout);
}

std::optional<Error> Hub::assign_at(const Position& position) {
  std::vector<kafka::PartitionOffset> assignment;
  for (std::size_t s = 0; s < kStreams; ++s)
    for (std::size_t p = 0; p < position.offsets[s].size(); ++p)
      assignment.push_back({topics_[s], static_cast<std::int32_t>(p), position.offsets[s][p]});
  return reader_->assign(assignment);
}

void Hub::join(net::io_context& io, std::function<void(Shard&)> joined,
               std::function<void()> refused) {
  {
    std::lock_guard lock(mu_);
    if (closing_) return;  // neither runs: the subscriber is dropped
    ++members_;
    if (paused_) {
      joiners_.push_back({&io, std::move(joined), std::move(refused), Clock::now()});
      wake_.notify_all();
      return;
    }
  }
  joined(shard_for(io));
}

void Hub::leave() {
  std::lock_guard lock(mu_);
  if (--members_ == 0) idle_since_ = Clock::now();
}

bool Hub::pause_if_idle() {
  if (options_.idle_pause.count() <= 0) return false;
  {
    std::lock_guard lock(mu_);
    if (members_ > 0 || Clock::now() - idle_since_ < options_.idle_pause) return false;
    paused_ = true;  // from here every join waits in joiners_
  }
  reader_->assign({});
  SseMetrics::get().hub_paused.Set(1);
  log::info("sse hub paused: nobody subscribed",
            {{"idle_ms", static_cast<std::int64_t>(options_.idle_pause.count())}});
  return true;
}

bool Hub::run_on_shards(const std::function<void(Shard&)>& task) {
  std::vector<std::future<void>> done;
  for (auto& s : shards_) {
    auto t =
        std::make_shared<std::packaged_task<void()>>([task, shard = s.get()] { task(*shard); });
    done.push_back(t->get_future());
    net::post(s->io(), [t] { (*t)(); });
  }
  for (auto& f : done)
    while (f.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      if (stop_) return false;
  return true;
}

void Hub::serve_paused() {
  constexpr auto kProbe = std::chrono::seconds(2);
  while (!stop_) {
    bool waiting;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, kProbe, [this] { return stop_ || !joiners_.empty(); });
      if (stop_) return;
      waiting = !joiners_.empty();
    }
    if (!waiting) {  // keeps /readyz honest while nothing is read
      healthy_ = static_cast<bool>(reader_->partition_count(topics_.front(), kProbe));
      continue;
    }
    // Read on from the ends, and move every shard there before anyone joins: a new
    // subscriber's first cursor is then where the hub reads on from, and a resuming one
    // catches up to it.
    auto ends = read_ends(std::chrono::seconds(5));
    std::optional<Error> err = ends ? assign_at(ends.value()) : ends.error();
    if (err) {
      healthy_ = false;
      log::warn("sse hub cannot read again yet", {{"error", err->message}});
      refuse_overdue();
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_.load(); });
      continue;
    }
    healthy_ = true;
    position_ = std::move(ends.value());
    if (!run_on_shards([to = position_](Shard& shard) { shard.jump(to); })) return;
    std::vector<Joiner> joiners;
    {
      std::lock_guard lock(mu_);
      paused_ = false;
      joiners.swap(joiners_);
    }
    SseMetrics::get().hub_paused.Set(0);
    // Both callbacks hold the subscriber: they go to its thread, where it may be destroyed.
    for (auto& j : joiners)
      net::post(*j.io, [this, io = j.io, joined = std::move(j.joined),
                        refused = std::move(j.refused)] { joined(shard_for(*io)); });
    log::info("sse hub reading again", {{"subscribers_waiting", joiners.size()}});
    return;
  }
}

void Hub::refuse_overdue() {
  std::vector<Joiner> overdue;
  {
    std::lock_guard lock(mu_);
    auto cutoff = Clock::now() - options_.join_patience;
    auto waiting = std::stable_partition(joiners_.begin(), joiners_.end(),
                                         [&](const Joiner& j) { return j.since > cutoff; });
    std::move(waiting, joiners_.end(), std::back_inserter(overdue));
    joiners_.erase(waiting, joiners_.end());
    members_ -= overdue.size();
    if (members_ == 0) idle_since_ = Clock::now();
  }
  for (auto& j : overdue)  // as in serve_paused, both callbacks go
    net::post(*j.io, [refused = std::move(j.refused), joined = std::move(j.joined)] { refused(); });
  if (!overdue.empty())
    log::warn("sse subscribers refused: kafka unreachable", {{"subscribers", overdue.size()}});
}

Shard& Hub::shard_for(net::io_context& io) {
  for (auto& s : shards_)
    if (&s->io() == &io) return *s;
  return *shards_.front();  // not reached: every context of the pool has a shard
}

void Hub::close_subscribers() {
  std::vector<Joiner> joiners;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    joiners.swap(joiners_);
  }
  // Their subscribers go on their own threads, unstarted.
  for (auto& j : joiners)
    net::post(*j.io, [joined = std::move(j.joined), refused = std::move(j.refused)] {});
  std::vector<std::future<void>> done;
  for (auto& s : shards_) {
    auto task =
        std::make_shared<std::packaged_task<void()>>([shard = s.get()] { shard->close_all(); });
    done.push_back(task->get_future());
    net::post(s->io(), [task] { (*task)(); });
  }
  for (auto& f : done) f.wait_for(std::chrono::seconds(5));
}

void Hub::run() {
  auto last_heartbeat = std::chrono::steady_clock::now();
  auto last_trim = last_heartbeat;
  double trimmed_at = 0;
  auto heartbeat = std::make_shared<const std::string>(format_comment("heartbeat"));
  while (!stop_) {
    if (pause_if_idle()) {
      serve_paused();
      continue;
    }
    auto batch = std::make_shared<Batch>();
    auto wait = std::chrono::milliseconds(100);
    while (batch->records.size() < kMaxBatch) {
      auto m = reader_->poll(wait);
      if (!m) break;
      wait = std::chrono::milliseconds(0);  // take what is already here, then hand it over
      if (m->err) {
        healthy_ = false;
        log::warn("sse kafka reader error", {{"error", rd_kafka_message_errstr(m.get())}});
        continue;
      }
      healthy_ = true;
      auto stream_it = stream_of_topic_.find(rd_kafka_topic_name(m->rkt));
      if (stream_it == stream_of_topic_.end()) continue;
      auto s = stream_it->second;
      auto& offsets = position_.offsets[s];
      if (static_cast<std::size_t>(m->partition) >= offsets.size()) continue;
      offsets[static_cast<std::size_t>(m->partition)] = m->offset + 1;
      Record record;
      record.shop = kafka::header_view(m.get(), "x-shopify-shop-domain");
      record.stream = s;
      record.partition = m->partition;
      record.offset = m->offset;
      record.frame = std::make_shared<LazyFrame>(std::shared_ptr<rd_kafka_message_t>(std::move(m)));
      batch->records.push_back(std::move(record));
    }
    if (!batch->records.empty()) {
      records_read_ += batch->records.size();
      batch->reader = reader_;
      batch->end = position_;
      std::shared_ptr<const Batch> shared = std::move(batch);
      for (auto& shard : shards_)
        net::post(shard->io(), [shard = shard.get(), shared] { shard->on_batch(*shared); });
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_trim >= std::chrono::seconds(1)) {
      // A wave of connections (a reconnect storm after a restart) leaves the heap full of
      // freed handshake buffers; give those pages back once the count settles elsewhere.
      last_trim = now;
      double subscribers = SseMetrics::get().subscribers.Value();
      if (std::abs(subscribers - trimmed_at) >= 256) {
        malloc_trim(0);
        trimmed_at = subscribers;
      }
    }
    if (now - last_heartbeat >= options_.heartbeat) {
      last_heartbeat = now;
      for (auto& shard : shards_)
        net::post(shard->io(), [shard = shard.get(), heartbeat] { shard->broadcast(heartbeat); });
    }
  }
}

}  // namespace shopstream::consumers::sse
