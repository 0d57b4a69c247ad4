#pragma once
// A fixed-size set of 128-bit fingerprints: open addressing with linear probing and
// backward-shift deletion (no tombstones), at most half full. One cache line touched for
// most lookups, where a node-based set took two or three; no allocation after
// construction. Pure; not thread-safe (the owner locks).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace shopstream::ingress {

struct Fingerprint {
  std::uint64_t a, b;  // `a` picks the slot: it must be a well-mixed hash
  bool operator==(const Fingerprint&) const = default;
};

class FingerprintSet {
 public:
  // Room for `capacity` entries; the table's pages are only touched as they fill.
  explicit FingerprintSet(std::size_t capacity);

  bool contains(Fingerprint f) const;
  bool insert(Fingerprint f);  // false when already there, or when full
  bool erase(Fingerprint f);   // false when absent
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }

 private:
  static Fingerprint stored(Fingerprint f);  // {0, 0} marks an empty slot
  static bool empty(const Fingerprint& f) { return f.a == 0 && f.b == 0; }
  std::size_t find(Fingerprint f) const;  // the slot holding f, or the empty one ending its run

  struct Free {
    void operator()(Fingerprint* p) const { std::free(p); }
  };
  std::size_t capacity_, mask_, size_ = 0;
  std::unique_ptr<Fingerprint[], Free> slots_;
};

}  // namespace shopstream::ingress
