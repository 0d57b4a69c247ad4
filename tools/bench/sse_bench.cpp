// SSE benchmark client. Two modes against a running `shopstream all` (or `sse`):
//   idle:    opens N subscriptions, waits until every one got its 200, and prints the
//            server's RSS before and after, per subscriber.
//   latency: N subscriptions; posts signed orders/create webhooks to the ingress at R/s
//            for D seconds and prints p50/p99/max of POST-to-receipt latency over every
//            (subscriber, event), beside the POST round trip (the baseline).
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.hpp"
#include "common/net_addr.hpp"
#include "common/units.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string mode, dashboard, ingress, shop, token, secret;
  int subscribers = 1000, rate = 100, seconds = 10;
  long pid = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "sse_bench: %s\nusage: sse_bench idle|latency --dashboard HOST:PORT --shop S "
               "--token T --subscribers N [--pid PID] [--ingress HOST:PORT --secret S --rate R "
               "--seconds D]\n",
               why);
  std::exit(2);
}

// A whole number above 0 (an int); anything else throws, and parse() says which flag.
int whole(const std::string& v) {
  auto n = shopstream::parse_int(v);
  if (!n || *n < 1 || *n > INT_MAX) throw std::invalid_argument(v);
  return static_cast<int>(*n);
}

Args parse(int argc, char** argv) {
  Args a;
  if (argc < 2) usage("missing mode");
  a.mode = argv[1];
  if (a.mode != "idle" && a.mode != "latency") usage("mode must be idle or latency");
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) usage("a flag is missing its value");
    std::string k = argv[i], v = argv[i + 1];
    try {
      if (k == "--dashboard")
        a.dashboard = v;
      else if (k == "--ingress")
        a.ingress = v;
      else if (k == "--shop")
        a.shop = v;
      else if (k == "--token")
        a.token = v;
      else if (k == "--secret")
        a.secret = v;
      else if (k == "--subscribers")
        a.subscribers = whole(v);
      else if (k == "--rate")
        a.rate = whole(v);
      else if (k == "--seconds")
        a.seconds = whole(v);
      else if (k == "--pid")
        a.pid = whole(v);
      else
        usage(("unknown flag " + k).c_str());
    } catch (const std::exception&) {
      usage(("bad value for " + k + ": a whole number above 0").c_str());
    }
  }
  if (a.dashboard.empty() || a.shop.empty() || a.token.empty())
    usage("--dashboard, --shop and --token are required");
  if (a.mode == "latency" && (a.ingress.empty() || a.secret.empty()))
    usage("latency needs --ingress and --secret");
  return a;
}

long rss_kib(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

tcp::endpoint endpoint_of(const std::string& addr) {
  auto hp = shopstream::split_host_port(addr);
  if (!hp) usage("bad address");
  return {net::ip::make_address(hp->first), hp->second};
}

std::atomic<std::size_t> received{0};  // events recorded by the reader thread

// One subscription: reads the stream and records, per event, microseconds since its POST.
struct Sub : std::enable_shared_from_this<Sub> {
  tcp::socket socket;
  std::string request;
  std::string buffer;
  char chunk[16384];
  bool open = false;
  std::atomic<int>* opened;
  const std::vector<Clock::time_point>* sent;
  std::vector<std::uint32_t>* latencies;

  Sub(net::io_context& io, std::string req, std::atomic<int>* o,
      const std::vector<Clock::time_point>* s, std::vector<std::uint32_t>* l)
      : socket(io), request(std::move(req)), opened(o), sent(s), latencies(l) {}

  void start(const tcp::endpoint& ep) {
    socket.async_connect(ep, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return std::fprintf(stderr, "connect: %s\n", ec.message().c_str()), void();
      net::async_write(self->socket, net::buffer(self->request),
                       [self](boost::system::error_code ec2, std::size_t) {
                         if (!ec2) self->read();
                       });
    });
  }

  void read() {
    socket.async_read_some(net::buffer(chunk), [self = shared_from_this()](
                                                   boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      auto now = Clock::now();
      self->buffer.append(self->chunk, n);
      if (!self->open) {
        auto end = self->buffer.find("\r\n\r\n");
        if (end == std::string::npos) return self->read();
        if (self->buffer.compare(0, 12, "HTTP/1.1 200") != 0) {
          std::fprintf(stderr, "subscription refused: %.40s\n", self->buffer.c_str());
          return;
        }
        self->open = true;
        ++*self->opened;
        self->buffer.erase(0, end + 4);
      }
      std::size_t pos;
      while ((pos = self->buffer.find("\n\n")) != std::string::npos) {
        auto seq_at = self->buffer.find("\"seq\":");
        if (seq_at != std::string::npos && seq_at < pos && self->sent) {
          auto seq = std::strtoul(self->buffer.c_str() + seq_at + 6, nullptr, 10);
          if (seq < self->sent->size()) {
            auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(now - (*self->sent)[seq]);
            self->latencies->push_back(static_cast<std::uint32_t>(us.count()));
            received.fetch_add(1, std::memory_order_relaxed);
          }
        }
        self->buffer.erase(0, pos + 2);
      }
      self->read();
    });
  }
};

double percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = parse(argc, argv);
  net::io_context io;
  auto dash = endpoint_of(a.dashboard);
  std::string req = "GET /events?shop=" + a.shop + "&access_token=" + a.token +
                    " HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n";
  std::atomic<int> opened{0};
  // Filled before any event can carry its seq, so the readers never see it resize.
  std::vector<Clock::time_point> sent(
      static_cast<std::size_t>(a.rate) * static_cast<std::size_t>(a.seconds) + 1);
  std::vector<std::uint32_t> latencies;
  long before = a.pid ? rss_kib(a.pid) : -1;
  std::vector<std::shared_ptr<Sub>> subs;
  for (int i = 0; i < a.subscribers; ++i) {
    subs.push_back(
        std::make_shared<Sub>(io, req, &opened, a.mode == "latency" ? &sent : nullptr, &latencies));
    subs.back()->start(dash);
  }
  std::thread runner([&] { io.run(); });
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (opened < a.subscribers && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (opened < a.subscribers) {
    std::fprintf(stderr, "only %d of %d subscriptions opened\n", opened.load(), a.subscribers);
    return 1;
  }
  if (a.mode == "idle") {
    std::this_thread::sleep_for(std::chrono::seconds(2));  // let the server settle its heap
    long after = rss_kib(a.pid);
    std::printf("subscribers=%d rss_before_kib=%ld rss_after_kib=%ld per_subscriber_bytes=%.0f\n",
                a.subscribers, before, after,
                static_cast<double>(after - before) * 1024.0 / a.subscribers);
    io.stop();
    runner.join();
    return 0;
  }
  // latency: one keep-alive connection to the ingress, paced at `rate`.
  net::io_context post_io;
  tcp::socket ps(post_io);
  ps.connect(endpoint_of(a.ingress));
  net::streambuf response;
  std::vector<std::uint32_t> round_trips;
  auto total = static_cast<std::size_t>(a.rate) * static_cast<std::size_t>(a.seconds);
  auto start = Clock::now();
  for (std::size_t seq = 0; seq < total; ++seq) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000 / a.rate) * seq);
    std::string body =
        R"({"id":)" + std::to_string(900000 + seq) + R"(,"name":"#)" + std::to_string(seq) +
        R"(","seq":)" + std::to_string(seq) +
        R"(,"currency":"USD","total_price":"10.00","created_at":"2026-11-21T10:00:00Z","updated_at":"2026-11-21T10:00:00Z"})";
    auto sig = shopstream::base64_encode(shopstream::hmac_sha256(a.secret, body));
    std::string r =
        "POST /webhooks/shopify HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        "X-Shopify-Topic: orders/create\r\nX-Shopify-Shop-Domain: " +
        a.shop + "\r\nX-Shopify-Webhook-Id: bench-" + std::to_string(seq) + "-" +
        std::to_string(start.time_since_epoch().count()) + "\r\nX-Shopify-Hmac-Sha256: " + sig +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    sent[seq] = Clock::now();
    net::write(ps, net::buffer(r));
    net::read_until(ps, response, "\r\n\r\n");
    std::string head(net::buffers_begin(response.data()), net::buffers_end(response.data()));
    auto cl = head.find("Content-Length: ");
    std::size_t len = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
    auto head_end = head.find("\r\n\r\n") + 4;
    response.consume(head_end);
    if (response.size() < len)
      net::read(ps, response, net::transfer_exactly(len - response.size()));
    response.consume(len);
    if (head.compare(0, 12, "HTTP/1.1 200") != 0)
      std::fprintf(stderr, "ingress: %.40s\n", head.c_str());
    round_trips.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent[seq]).count()));
  }
  // Wait for the last events to arrive (bounded), then stop reading.
  auto expected = total * static_cast<std::size_t>(a.subscribers);
  auto drain = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < drain && received.load() < expected)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  io.stop();
  runner.join();
  std::printf(
      "subscribers=%d rate=%d seconds=%d received=%zu of %zu  latency_ms p50=%.2f p99=%.2f "
      "max=%.2f  post_round_trip_ms p50=%.2f p99=%.2f\n",
      a.subscribers, a.rate, a.seconds, latencies.size(), expected, percentile(latencies, 0.5),
      percentile(latencies, 0.99), percentile(latencies, 1.0), percentile(round_trips, 0.5),
      percentile(round_trips, 0.99));
  return latencies.size() >= expected ? 0 : 1;
}
