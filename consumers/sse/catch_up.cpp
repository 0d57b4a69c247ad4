#include "consumers/sse/catch_up.hpp"

#include <boost/asio/post.hpp>

#include <deque>
#include <future>

#include "common/log.hpp"
#include "consumers/sse/frame.hpp"
#include "consumers/sse/metrics.hpp"
#include "projections/event.hpp"

namespace shopstream::consumers::sse {
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr auto kDeadline = 120s;  // a whole catch-up
constexpr auto kWriteWait = 60s;  // one chunk written to a slow client
}  // namespace

CatchUp::CatchUp(kafka::ReaderOptions options, std::vector<std::string> topics,
                 std::vector<int> partition_counts)
    : options_(std::move(options)),
      topics_(std::move(topics)),
      partitions_(std::move(partition_counts)) {
  options_.client_id = "shopstream-sse-catch-up";
  thread_ = std::thread([this] { run(); });
}

CatchUp::~CatchUp() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
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
    CatchUpRequest request;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      request = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!reader) {
      auto created = kafka::Reader::create(options_);
      if (!created) {
        log::error("sse catch-up reader failed", {{"error", created.error().message}});
        SseMetrics::get().resume("failed");
        net::post(request.executor, [s = request.subscriber] { s->close(); });
        continue;
      }
      reader = std::move(created.value());
    }
    serve(*reader, request);
    reader->assign({});
  }
}

void CatchUp::serve(kafka::Reader& reader, CatchUpRequest& request) {
  auto& sub = request.subscriber;
  auto fail = [&](std::string_view why) {
    log::warn("sse resume failed", {{"shop", sub->shop()}, {"error", why}});
    SseMetrics::get().resume("failed");
    net::post(request.executor, [sub] { sub->close(); });
  };
  // Read [from, target) where target = max(from, joined): a cursor from a server that was
  // ahead of this one needs nothing read here (the subscriber skips up to it instead).
  Position cursor = request.from;
  Position target = Position::max(request.from, request.joined);
  bool truncated = false;
  std::vector<kafka::PartitionOffset> assignment;
  std::vector<std::vector<bool>> pending(kStreams);
  std::size_t open = 0;
  for (std::size_t s = 0; s < kStreams; ++s) {
    auto count = static_cast<std::size_t>(partitions_[s]);
    cursor.offsets[s].resize(count, 0);
    pending[s].assign(count, false);
    if (!sub->wants(static_cast<std::uint8_t>(s))) continue;
    for (std::size_t p = 0; p < count; ++p) {
      auto start = request.from.at(s, p);
      auto end = target.at(s, p);
      if (start >= end) continue;
      auto marks = reader.watermarks(topics_[s], static_cast<std::int32_t>(p), 10s);
      if (!marks) return fail(marks.error().message);
      if (start < marks.value().first) {
        truncated = true;
        start = marks.value().first;
        cursor.offsets[s][p] = start;
        if (start >= end) continue;
      }
      assignment.push_back({topics_[s], static_cast<std::int32_t>(p), start});
      pending[s][p] = true;
      ++open;
    }
  }
  if (auto err = reader.assign(assignment)) return fail(err->message);

  // Waits until the subscriber wrote `frames` (or closed); false on timeout.
  auto hand_over = [&](std::vector<Frame> frames) {
    auto written = std::make_shared<std::promise<void>>();
    auto done = written->get_future();
    net::post(request.executor, [sub, frames = std::move(frames), written]() mutable {
      sub->deliver_catch_up(std::move(frames), [written] { written->set_value(); });
    });
    return done.wait_for(kWriteWait) == std::future_status::ready;
  };

  // Records wait here per partition, then go out merged by arrival at the ingress, so a
  // replay reads in the order things happened; each partition keeps its own order, so
  // every cursor handed out is still an exact cut.
  std::vector<Frame> chunk;
  if (truncated)
    chunk.push_back(std::make_shared<const std::string>(format_comment(
        "resume cursor is older than Kafka retention: replaying from the oldest retained events")));
  std::vector<std::size_t> first_slot(kStreams, 0);  // of each stream's partitions in `waiting`
  for (std::size_t s = 1; s < kStreams; ++s)
    first_slot[s] = first_slot[s - 1] + static_cast<std::size_t>(partitions_[s - 1]);
  std::vector<std::deque<std::pair<std::size_t, projections::Event>>> waiting(
      first_slot.back() + static_cast<std::size_t>(partitions_.back()));
  std::size_t waiting_bytes = 0;
  auto flush = [&] {
    for (;;) {
      std::deque<std::pair<std::size_t, projections::Event>>* next = nullptr;
      for (auto& q : waiting)
        if (!q.empty() && (!next || q.front().second.header("shopstream-received-at") <
                                        next->front().second.header("shopstream-received-at")))
          next = &q;
      if (!next) break;
      auto [s, event] = std::move(next->front());
      next->pop_front();
      cursor.offsets[s][static_cast<std::size_t>(event.partition)] = event.offset + 1;
      if (event.shop_domain() == sub->shop())
        chunk.push_back(
            std::make_shared<const std::string>(format_event(event, encode_cursor(cursor))));
    }
    waiting_bytes = 0;
    return hand_over(std::exchange(chunk, {}));
  };
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (open > 0) {
    if (stop_ || sub->closed()) return;
    if (std::chrono::steady_clock::now() > deadline) return fail("catch-up deadline passed");
    auto m = reader.poll(100ms);
    if (!m) continue;
    if (m->err) {
      log::warn("sse catch-up kafka error", {{"error", rd_kafka_message_errstr(m.get())}});
      continue;
    }
    auto event = projections::Event::from_message(m.get());
    std::size_t s = 0;
    while (s < kStreams && topics_[s] != event.kafka_topic) ++s;
    auto p = static_cast<std::size_t>(event.partition);
    if (s == kStreams || p >= pending[s].size() || !pending[s][p]) continue;
    if (event.offset >= target.at(s, p)) {  // past the join point: live delivery has it
      pending[s][p] = false;
      --open;
      continue;
    }
    if (event.offset + 1 >= target.at(s, p)) {
      pending[s][p] = false;
      --open;
    }
    waiting_bytes += event.value.size() + 256;
    // One queue per partition: the merge must never reorder within a partition.
    waiting[first_slot[s] + p].emplace_back(s, std::move(event));
    if (waiting_bytes >= kChunkBytes && !flush()) return fail("client did not read its catch-up");
  }
  if (!flush()) return fail("client did not read its catch-up");
  SseMetrics::get().resume(truncated ? "truncated" : "ok");
  std::optional<Position> floor;
  if (!request.joined.covers(request.from)) floor = request.from;
  net::post(request.executor,
            [sub, floor = std::move(floor)]() mutable { sub->finish_catch_up(std::move(floor)); });
}

}  // namespace shopstream::consumers::sse
