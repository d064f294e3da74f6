// jobwire — result<T>: a value or an error, never an exception.
//
// Every fallible jobwire function returns a result. It is [[nodiscard]] so a verification
// outcome cannot be dropped silently (ENGINEERING.md, "libsodium" and "simdjson" notes).
// Accessing the value of a failed result is a programming error and aborts; there is no
// throwing accessor, so the core compiles with -fno-exceptions.
#pragma once

#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

#include "error.hpp"

namespace jobwire {

namespace detail {
[[noreturn]] inline void result_access_failed() noexcept { std::abort(); }
}  // namespace detail

template <class T>
class result;
namespace detail {
template <class T, class Fill>
result<T> build_in_place(Fill&& fill) noexcept;
}  // namespace detail

template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference<T>::value, "result<T&> is not supported");
  static_assert(!std::is_same<std::decay_t<T>, jobwire::error>::value, "result<error> is ambiguous");

 public:
  using value_type = T;

  // Implicit on purpose: `return value;` and `return errc::x;` both read naturally.
  result(const T& v) noexcept(std::is_nothrow_copy_constructible<T>::value)  // NOLINT
      : has_(true) {
    ::new (static_cast<void*>(&storage_)) T(v);
  }
  result(T&& v) noexcept(std::is_nothrow_move_constructible<T>::value)  // NOLINT
      : has_(true) {
    ::new (static_cast<void*>(&storage_)) T(std::move(v));
  }
  // An error built from errc::ok would be a result with neither value nor error; it is
  // turned into internal_error so that it can never read as success.
  result(jobwire::error e) noexcept  // NOLINT
      : err_(e.code == errc::ok ? jobwire::error(errc::internal_error) : e), has_(false) {}
  result(errc c) noexcept : result(jobwire::error(c)) {}  // NOLINT
  /// A default-constructed value built in place (see detail::build_in_place).
  explicit result(std::in_place_t) noexcept(std::is_nothrow_default_constructible<T>::value) : has_(true) {
    ::new (static_cast<void*>(&storage_)) T();
  }

  result(const result& o) noexcept(std::is_nothrow_copy_constructible<T>::value) : err_(o.err_), has_(o.has_) {
    if (has_) ::new (static_cast<void*>(&storage_)) T(*o.ptr());
  }
  result(result&& o) noexcept(std::is_nothrow_move_constructible<T>::value) : err_(o.err_), has_(o.has_) {
    if (has_) ::new (static_cast<void*>(&storage_)) T(std::move(*o.ptr()));
  }
  result& operator=(const result& o) {
    if (this != &o) {
      reset();
      err_ = o.err_;
      if (o.has_) ::new (static_cast<void*>(&storage_)) T(*o.ptr());
      has_ = o.has_;
    }
    return *this;
  }
  result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible<T>::value) {
    if (this != &o) {
      reset();
      err_ = o.err_;
      if (o.has_) ::new (static_cast<void*>(&storage_)) T(std::move(*o.ptr()));
      has_ = o.has_;
    }
    return *this;
  }
  ~result() { reset(); }

  constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_; }

  /// The error; `errc::ok` when a value is held.
  constexpr const jobwire::error& error() const noexcept { return err_; }
  constexpr errc code() const noexcept { return has_ ? errc::ok : err_.code; }

  T& value() & noexcept {
    if (!has_) detail::result_access_failed();
    return *ptr();
  }
  const T& value() const& noexcept {
    if (!has_) detail::result_access_failed();
    return *ptr();
  }
  // On an rvalue result the value is returned by value, so `for (auto& m : *f())` and
  // `auto&& v = *f();` own what they use instead of dangling into a destroyed temporary.
  T value() && noexcept(std::is_nothrow_move_constructible<T>::value) {
    if (!has_) detail::result_access_failed();
    return std::move(*ptr());
  }
  template <class U>
  T value_or(U&& fallback) const& {
    return has_ ? *ptr() : static_cast<T>(std::forward<U>(fallback));
  }

  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  T operator*() && noexcept(std::is_nothrow_move_constructible<T>::value) { return std::move(*this).value(); }
  T* operator->() noexcept { return &value(); }
  const T* operator->() const noexcept { return &value(); }

 private:
  T* ptr() noexcept { return std::launder(reinterpret_cast<T*>(&storage_)); }
  const T* ptr() const noexcept { return std::launder(reinterpret_cast<const T*>(&storage_)); }
  void reset() noexcept {
    if (has_) {
      ptr()->~T();
      has_ = false;
    }
  }
  /// Drops the value (if any) for the error `e` (build_in_place: not an assignment
  /// operator, which would make `r = errc::x` ambiguous).
  void set_error(jobwire::error e) noexcept {
    reset();
    err_ = e.code == errc::ok ? jobwire::error(errc::internal_error) : e;
  }
  template <class U, class Fill>
  friend result<U> detail::build_in_place(Fill&& fill) noexcept;

  std::aligned_storage_t<sizeof(T), alignof(T)> storage_;
  jobwire::error err_{};
  bool has_ = false;
};

/// The result of an operation that produces nothing but success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;
  constexpr result() noexcept = default;
  constexpr result(jobwire::error e) noexcept : err_(e) {}  // NOLINT
  constexpr result(errc c) noexcept : err_(c) {}            // NOLINT

  constexpr bool has_value() const noexcept { return err_.code == errc::ok; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  constexpr const jobwire::error& error() const noexcept { return err_; }
  constexpr errc code() const noexcept { return err_.code; }

 private:
  jobwire::error err_{};
};

/// Success or an error, nothing else: what every check, store and host callback returns.
/// (Named `void_result`, not `status`, so it never reads as a job's status — that is
/// `job_status`, PROTOCOL.md §3.)
using void_result = result<void>;

namespace detail {
/// The result of `fill(T&)` (a void_result) run on a value built in place in the result: a
/// large document (an envelope is about 1.5 KB) is filled where the caller receives it,
/// not built on the stack and copied there.
template <class T, class Fill>
result<T> build_in_place(Fill&& fill) noexcept {
  result<T> out(std::in_place);
  if (void_result st = fill(*out); !st) out.set_error(st.error());
  return out;
}
}  // namespace detail

/// The name this type had before 1.1; kept so existing code builds, with a warning.
using status [[deprecated("renamed jobwire::void_result (a job's status is jobwire::job_status)")]] = result<void>;

}  // namespace jobwire
