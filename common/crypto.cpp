#include "common/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

namespace shopstream {
namespace {

// Only an allocation failure or a broken OpenSSL install gets here: nothing a caller
// could recover from, and answering 401 or 500 to a webhook would hide it.
[[noreturn]] void openssl_failed(const char* what) {
  std::fprintf(stderr, "%s\n", what);
  std::abort();
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  auto mac = HmacSha256(key)(message);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

struct HmacSha256::Idle {
  static constexpr std::size_t kKeep = 64;  // more threads than this never hash at once
  std::mutex mu;
  std::vector<EVP_MAC_CTX*> contexts;
  ~Idle() {
    for (auto* c : contexts) EVP_MAC_CTX_free(c);
  }
};

HmacSha256::HmacSha256(std::string_view key) : keyed_(nullptr), idle_(std::make_unique<Idle>()) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!hmac) openssl_failed("OpenSSL has no HMAC");
  keyed_ = EVP_MAC_CTX_new(hmac);
  EVP_MAC_free(hmac);  // the context holds its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  // An empty key is a valid HMAC key; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* k = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (!keyed_ || EVP_MAC_init(keyed_, k, key.size(), params) != 1) {
    EVP_MAC_CTX_free(keyed_);
    openssl_failed("OpenSSL could not set up HMAC-SHA256");
  }
}

HmacSha256::~HmacSha256() {
  EVP_MAC_CTX_free(keyed_);
}

HmacSha256::HmacSha256(HmacSha256&& other) noexcept
    : keyed_(std::exchange(other.keyed_, nullptr)), idle_(std::move(other.idle_)) {}

HmacSha256& HmacSha256::operator=(HmacSha256&& other) noexcept {
  std::swap(keyed_, other.keyed_);
  std::swap(idle_, other.idle_);
  return *this;
}

HmacSha256::Mac HmacSha256::operator()(std::string_view message) const {
  // The keyed context is only read here, so threads may share it; each message gets a
  // working context of its own: an idle one reset to the key, or a new copy.
  EVP_MAC_CTX* ctx = nullptr;
  {
    std::lock_guard lock(idle_->mu);
    if (!idle_->contexts.empty()) {
      ctx = idle_->contexts.back();
      idle_->contexts.pop_back();
    }
  }
  bool ok = ctx ? EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1  // the same key again
                : (ctx = EVP_MAC_CTX_dup(keyed_)) != nullptr;
  Mac mac{};
  std::size_t len = 0;
  ok = ok &&
       EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()),
                      message.size()) == 1 &&
       EVP_MAC_final(ctx, mac.data(), &len, mac.size()) == 1 && len == mac.size();
  if (ok) {
    std::lock_guard lock(idle_->mu);
    if (idle_->contexts.size() < Idle::kKeep) {
      idle_->contexts.push_back(ctx);
      ctx = nullptr;
    }
  }
  EVP_MAC_CTX_free(ctx);
  if (!ok) openssl_failed("OpenSSL HMAC-SHA256 failed (out of memory?)");
  return mac;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::size_t base64_encode(std::string_view bytes, char* out) {
  return static_cast<std::size_t>(EVP_EncodeBlock(
      reinterpret_cast<unsigned char*>(out), reinterpret_cast<const unsigned char*>(bytes.data()),
      static_cast<int>(bytes.size())));
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  out.resize(base64_encode(bytes, out.data()));
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
    return t;
  }();
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical
  return out;
}

}  // namespace shopstream
