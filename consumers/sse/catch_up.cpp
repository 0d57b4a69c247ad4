#include "consumers/sse/catch_up.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <future>
#include <map>

#include "common/log.hpp"
#include "consumers/sse/edges.hpp"
#include "consumers/sse/frame.hpp"
#include "consumers/sse/metrics.hpp"
#include "projections/event.hpp"

namespace shopstream::consumers::sse {
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr std::size_t kMaxGroup = 10'000;  // requests served in one pass
constexpr auto kDeadline = 120s;           // one pass
constexpr auto kWriteWait = 15s;           // one chunk written to a client
using SharedEvent = std::shared_ptr<const projections::Event>;
}  // namespace

// One resuming subscriber within a pass.
struct CatchUp::Job {
  CatchUpRequest request;
  Position cursor;                  // the cut after the last record handed over
  std::vector<std::int64_t> start;  // by slot: the range this job reads, [start, end)
  std::vector<std::int64_t> end;
  bool truncated = false;
  bool failed = false;
  // The shop's records in arrival order, waiting to be merged and handed over.
  std::vector<std::pair<std::size_t, SharedEvent>> waiting;
  std::size_t waiting_bytes = 0;
  std::vector<Frame> chunk;

  void fail(std::string_view why) {
    if (failed) return;
    failed = true;
    log::warn("sse resume failed", {{"shop", request.subscriber->shop()}, {"error", why}});
    SseMetrics::get().resume("failed");
    net::post(request.executor, [sub = request.subscriber] { sub->close(); });
  }
};

CatchUp::CatchUp(kafka::ReaderOptions options, std::vector<std::string> topics,
                 std::vector<int> partition_counts)
    : options_(std::move(options)),
      topics_(std::move(topics)),
      partitions_(std::move(partition_counts)) {
  options_.client_id = "shopstream-sse-catch-up";
  for (int count : partitions_) {
    first_slot_.push_back(slots_);
    slots_ += static_cast<std::size_t>(count);
  }
  thread_ = std::thread([this] { run(); });
}

CatchUp::~CatchUp() {
  stop_ = true;
  {
    std::lock_guard lock(mu_);  // pairs with the wait's predicate check
  }
  cv_.notify_all();
  thread_.join();
}

void CatchUp::submit(CatchUpRequest request) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(request));
  }
  cv_.notify_one();
}

void CatchUp::run() {
  std::unique_ptr<kafka::Reader> reader;
  for (;;) {
    std::vector<CatchUpRequest> group;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      while (!queue_.empty() && group.size() < kMaxGroup) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!reader) {
      auto created = kafka::Reader::create(options_);
      if (!created) {
        log::error("sse catch-up reader failed", {{"error", created.error().message}});
        for (auto& r : group) {
          SseMetrics::get().resume("failed");
          net::post(r.executor, [s = r.subscriber] { s->close(); });
        }
        continue;
      }
      reader = std::move(created.value());
    }
    serve(*reader, std::move(group));
    reader->assign({});
  }
}

bool CatchUp::flush(Job& job) {
  // Merge by arrival at the ingress, so a replay reads in the order things happened; each
  // partition keeps its own order, so every cursor handed out is still an exact cut.
  std::map<std::size_t, std::deque<SharedEvent>> by_slot;
  for (auto& [slot, event] : job.waiting) by_slot[slot].push_back(std::move(event));
  job.waiting.clear();
  job.waiting_bytes = 0;
  for (;;) {
    std::deque<SharedEvent>* next = nullptr;
    for (auto& [slot, q] : by_slot)
      if (!q.empty() && (!next || q.front()->header("shopstream-received-at") <
                                      next->front()->header("shopstream-received-at")))
        next = &q;
    if (!next) break;
    auto event = std::move(next->front());
    next->pop_front();
    std::size_t s = 0;
    while (topics_[s] != event->kafka_topic) ++s;
    job.cursor.offsets[s][static_cast<std::size_t>(event->partition)] = event->offset + 1;
    job.chunk.push_back(
        std::make_shared<const std::string>(format_event(*event, encode_cursor(job.cursor))));
  }
  auto written = std::make_shared<std::promise<void>>();
  auto done = written->get_future();
  auto& sub = job.request.subscriber;
  net::post(job.request.executor, [sub, frames = std::exchange(job.chunk, {}), written]() mutable {
    sub->deliver_catch_up(std::move(frames), [written] { written->set_value(); });
  });
  if (done.wait_for(kWriteWait) != std::future_status::ready) {
    job.fail("the client did not read its catch-up");
    return false;
  }
  return true;
}

void CatchUp::serve(kafka::Reader& reader, std::vector<CatchUpRequest> requests) {
  std::vector<Job> jobs(requests.size());
  std::optional<Position> low;  // the oldest retained offsets, asked once per pass
  std::string low_error;        // or why they could not be had
  std::vector<std::int64_t> read_from(slots_, INT64_MAX), read_to(slots_, 0);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    auto& job = jobs[j];
    job.request = std::move(requests[j]);
    // Read [from, max(from, joined)): a cursor from a server that was ahead of this one
    // needs nothing read here (the subscriber skips up to it instead).
    job.cursor = job.request.from;
    auto target = Position::max(job.request.from, job.request.joined);
    job.start.assign(slots_, 0);
    job.end.assign(slots_, 0);
    for (std::size_t s = 0; s < kStreams; ++s) {
      auto count = static_cast<std::size_t>(partitions_[s]);
      job.cursor.offsets[s].resize(count, 0);
      if (!job.request.subscriber->wants(static_cast<std::uint8_t>(s))) continue;
      for (std::size_t p = 0; p < count; ++p) {
        auto slot = first_slot_[s] + p;
        auto start = job.request.from.at(s, p);
        auto end = target.at(s, p);
        if (start >= end) continue;
        if (!low && low_error.empty()) {
          auto oldest =
              edge_position(reader, topics_, partitions_, kafka::Reader::Edge::kOldest, 10s);
          if (oldest)
            low = std::move(oldest.value());
          else
            low_error = oldest.error().message;  // the pass's other jobs fail at once
        }
        if (!low_error.empty()) {
          job.fail(low_error);
          break;
        }
        if (start < low->at(s, p)) {
          job.truncated = true;
          start = low->at(s, p);
          job.cursor.offsets[s][p] = start;
        }
        if (start >= end) continue;
        job.start[slot] = start;
        job.end[slot] = end;
        read_from[slot] = std::min(read_from[slot], start);
        read_to[slot] = std::max(read_to[slot], end);
      }
    }
    if (job.truncated)
      job.chunk.push_back(std::make_shared<const std::string>(format_comment(
          "resume cursor is older than Kafka retention: replaying from the oldest retained "
          "events")));
  }
  std::vector<kafka::PartitionOffset> assignment;
  std::vector<bool> open(slots_, false);
  std::size_t open_count = 0;
  for (std::size_t s = 0; s < kStreams; ++s)
    for (std::size_t p = 0; p < static_cast<std::size_t>(partitions_[s]); ++p) {
      auto slot = first_slot_[s] + p;
      if (read_from[slot] >= read_to[slot]) continue;
      assignment.push_back({topics_[s], static_cast<std::int32_t>(p), read_from[slot]});
      open[slot] = true;
      ++open_count;
    }
  if (auto err = reader.assign(assignment)) {
    for (auto& job : jobs) job.fail(err->message);
    return;
  }
  // Jobs by shop: a record concerns only its own shop's subscribers.
  std::multimap<std::string_view, Job*> by_shop;
  for (auto& job : jobs)
    if (!job.failed) by_shop.emplace(job.request.subscriber->shop(), &job);

  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (open_count > 0) {
    if (stop_) return;
    if (std::chrono::steady_clock::now() > deadline) {
      for (auto& job : jobs) job.fail("catch-up deadline passed");
      return;
    }
    auto m = reader.poll(100ms);
    if (!m) continue;
    if (m->err) {
      log::warn("sse catch-up kafka error", {{"error", rd_kafka_message_errstr(m.get())}});
      continue;
    }
    std::string_view topic = rd_kafka_topic_name(m->rkt);
    std::size_t s = 0;
    while (s < kStreams && topics_[s] != topic) ++s;
    if (s == kStreams || m->partition < 0 || m->partition >= partitions_[s]) continue;
    auto slot = first_slot_[s] + static_cast<std::size_t>(m->partition);
    if (!open[slot]) continue;
    if (m->offset + 1 >= read_to[slot]) {
      open[slot] = false;
      --open_count;
      if (m->offset >= read_to[slot]) continue;  // past every job's join point
    }
    auto event =
        std::make_shared<const projections::Event>(projections::Event::from_message(m.get()));
    auto [first, last] = by_shop.equal_range(event->shop_domain());
    for (auto it = first; it != last; ++it) {
      Job& job = *it->second;
      if (job.failed || m->offset < job.start[slot] || m->offset >= job.end[slot]) continue;
      if (job.request.subscriber->closed()) {
        job.failed = true;  // gone: nothing to tell it
        continue;
      }
      job.waiting_bytes += event->value.size() + 256;
      job.waiting.emplace_back(slot, event);
      if (job.waiting_bytes >= kChunkBytes) flush(job);
    }
  }
  for (auto& job : jobs) {
    if (job.failed || !flush(job)) continue;
    SseMetrics::get().resume(job.truncated ? "truncated" : "ok");
    std::optional<Position> floor;
    if (!job.request.joined.covers(job.request.from)) floor = job.request.from;
    net::post(job.request.executor,
              [sub = job.request.subscriber, floor = std::move(floor)]() mutable {
                sub->finish_catch_up(std::move(floor));
              });
  }
}

}  // namespace shopstream::consumers::sse
