#include "consumers/sse/subscriber.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

#include "common/log.hpp"
#include "consumers/sse/frame.hpp"
#include "consumers/sse/hub.hpp"
#include "consumers/sse/metrics.hpp"

namespace shopstream::consumers::sse {
namespace net = boost::asio;

Subscriber::Subscriber(net::ip::tcp::socket socket, Shard& shard, std::string shop,
                       unsigned stream_mask, std::size_t max_buffer)
    : socket_(std::move(socket)),
      shard_(shard),
      shop_(std::move(shop)),
      stream_mask_(stream_mask),
      max_buffer_(max_buffer) {
  SseMetrics::get().subscribers.Increment();
}

Subscriber::~Subscriber() {
  SseMetrics::get().subscribers.Decrement();
}

void Subscriber::start(Frame preamble, bool catching_up) {
  catching_up_ = catching_up;
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // a spurious wake-up must not block the thread
  enqueue(std::move(preamble), false);
  wait_for_close();
}

void Subscriber::refuse(Frame answer) {
  close_once_written_ = true;
  enqueue(std::move(answer), false);
}

void Subscriber::wait_for_close() {
  // No read buffer is kept per idle subscriber: wait for readability, then drain.
  socket_.async_wait(net::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       if (ec || self->closed_) return self->close();
                       char sink[512];
                       boost::system::error_code rec;
                       auto n = self->socket_.read_some(net::buffer(sink), rec);
                       if (rec != net::error::would_block && (rec || n == 0)) return self->close();
                       self->wait_for_close();  // clients have nothing to say; ignore it
                     });
}

void Subscriber::deliver(const Item& item) {
  if (closed_ || !wants(item.stream)) return;
  if (catching_up_) {
    held_bytes_ += item.frame->size();
    if (held_bytes_ > max_buffer_) {
      SseMetrics::get().dropped_slow.Increment();
      log::warn("sse subscriber dropped: too far behind during catch-up", {{"shop", shop_}});
      return close();
    }
    held_.push_back(item);
    return;
  }
  deliver_live(item);
}

void Subscriber::deliver_live(const Item& item) {
  if (!floor_) return enqueue(item.frame, true);
  if (item.offset < floor_->at(item.stream, static_cast<std::size_t>(item.partition)))
    return;  // already sent by the server this client came from
  // The frame's cursor is this server's position; never hand out one behind the client's.
  auto raised = with_cursor_at_least(*item.frame, *floor_);
  if (!raised) {
    floor_.reset();  // this server has caught up with the client's cursor
    return enqueue(item.frame, true);
  }
  enqueue(std::make_shared<const std::string>(std::move(*raised)), true);
}

void Subscriber::send(Frame frame) {
  if (!closed_) enqueue(std::move(frame), true);
}

void Subscriber::deliver_catch_up(std::vector<Frame> frames, std::function<void()> drained) {
  if (closed_) return drained();
  on_drained_ = std::move(drained);
  for (auto& f : frames) enqueue(std::move(f), false);
  if (queue_.empty() && writing_.empty() && on_drained_) std::exchange(on_drained_, {})();
}

void Subscriber::finish_catch_up(std::optional<Position> floor) {
  if (closed_) return;
  catching_up_ = false;
  if (floor) floor_ = std::make_unique<Position>(std::move(*floor));
  auto held = std::move(held_);
  held_bytes_ = 0;
  for (const auto& item : held) deliver_live(item);
}

void Subscriber::enqueue(Frame frame, bool droppable) {
  if (closed_) return;
  queued_bytes_ += frame->size();
  if (droppable && queued_bytes_ > max_buffer_) {
    SseMetrics::get().dropped_slow.Increment();
    log::warn("sse subscriber dropped: buffer overflow (slow client)",
              {{"shop", shop_}, {"buffered_bytes", queued_bytes_}});
    return close();
  }
  queue_.push_back(std::move(frame));
  if (writing_.empty()) write_more();
}

void Subscriber::write_more() {
  if (queue_.empty() || closed_) {
    if (on_drained_) std::exchange(on_drained_, {})();
    if (close_once_written_) close();
    return;
  }
  writing_.swap(queue_);
  std::vector<net::const_buffer> buffers;
  buffers.reserve(writing_.size());
  for (const auto& f : writing_) buffers.emplace_back(net::buffer(*f));
  net::async_write(socket_, buffers,
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                     self->queued_bytes_ -= std::min(n, self->queued_bytes_);
                     std::size_t events = 0;
                     for (const auto& f : self->writing_) events += f->starts_with("id:");
                     self->writing_.clear();
                     if (ec) return self->close();
                     SseMetrics::get().events_sent.Increment(static_cast<double>(events));
                     self->write_more();
                   });
}

void Subscriber::close() {
  if (closed_.exchange(true)) return;
  boost::system::error_code ignored;
  socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  held_.clear();
  if (on_drained_) std::exchange(on_drained_, {})();
  shard_.remove(this);
}

}  // namespace shopstream::consumers::sse
