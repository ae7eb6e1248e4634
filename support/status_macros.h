// Early-return helpers for absl::Status / absl::StatusOr, used across dlc.
#ifndef DLC_SUPPORT_STATUS_MACROS_H_
#define DLC_SUPPORT_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DLC_CONCAT_INNER(a, b) a##b
#define DLC_CONCAT(a, b) DLC_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define DLC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status dlc_status_ = (expr);       \
    if (!dlc_status_.ok()) return dlc_status_; \
  } while (0)

// `DLC_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define DLC_ASSIGN_OR_RETURN(lhs, expr) \
  DLC_ASSIGN_OR_RETURN_IMPL(DLC_CONCAT(dlc_statusor_, __LINE__), lhs, expr)
#define DLC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // DLC_SUPPORT_STATUS_MACROS_H_
