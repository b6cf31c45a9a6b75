#pragma once
/// A growable FIFO ring of slot indices (the backorder queue).
/// Invariants: elements leave in the order they entered; capacity is a power of two and only grows,
/// so no allocation once the ring has reached its working size.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace stocklab {

class IndexRing {
public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::uint32_t front() const { return buf_[head_]; }
    void pop_front() {
        head_ = (head_ + 1) & (buf_.size() - 1);
        --size_;
    }
    void push_back(std::uint32_t v) {
        if (size_ == buf_.size()) grow();
        buf_[(head_ + size_) & (buf_.size() - 1)] = v;
        ++size_;
    }
    std::uint32_t at(std::size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }

private:
    void grow() {
        std::vector<std::uint32_t> n(buf_.empty() ? 64 : buf_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i) n[i] = at(i);
        buf_.swap(n);
        head_ = 0;
    }
    std::vector<std::uint32_t> buf_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace stocklab
