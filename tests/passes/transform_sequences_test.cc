// Random sequences of loop transformations on the test programs: every one
// the primitives accept keeps the bits (so their legality checks are not too
// lax), every one they refuse leaves the program as it was.
#include <functional>
#include <random>

#include "gtest/gtest.h"
#include "passes/transforms/interchange.h"
#include "passes/transforms/pack.h"
#include "passes/transforms/split.h"
#include "passes/transforms/tile.h"
#include "passes/transforms/unroll_and_jam.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

// The loops the kernels reach, in program order.
void Loops(const LoopProgram& p, const std::vector<StmtId>& list, std::vector<StmtId>& out) {
  for (StmtId id : list) {
    if (p.stmt(id).kind == loops::StmtKind::kFor) out.push_back(id);
    Loops(p, p.stmt(id).body, out);
  }
}

TEST(TransformSequences, AcceptedOnesKeepTheBitsRefusedOnesChangeNothing) {
  const std::vector<std::function<TestNest()>> programs = {
      [] { return MatMul(5, 7, 6); }, [] { return Scale(7, 5); }, [] { return ShiftedRows(5, 6); },
      [] { return Total(4, 6); }};
  std::mt19937 random(7);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 120; ++round) {
    TestNest t = programs[round % programs.size()]();
    const LoopProgram original = t.program;
    for (int step = 0; step < 4; ++step) {
      std::vector<StmtId> loops;
      for (const loops::Kernel& kernel : t.program.kernels) Loops(t.program, kernel.body, loops);
      const StmtId loop = loops[random() % loops.size()];
      const loops::Stmt& s = t.program.stmt(loop);
      const int64_t factor =
          1 +
          static_cast<int64_t>(random() % static_cast<uint64_t>(std::max<int64_t>(s.extent, 1)));
      const StmtId inner = s.body.empty() ? loop : s.body[0];
      const std::string before = loops::PrintLoopProgram(t.program);
      absl::Status status;
      std::string what;
      switch (random() % 5) {
        case 0:
          what = "split";
          status = transforms::Split(t.program, loop, factor).status();
          break;
        case 1:
          what = "interchange";
          status = transforms::Interchange(t.program, loop, inner).status();
          break;
        case 2: {
          what = "tile";
          const StmtId band[] = {loop, inner};
          const int64_t sizes[] = {factor, 2};
          status = transforms::Tile(t.program, band, sizes).status();
          break;
        }
        case 3:
          what = "pack";
          status = transforms::Pack(t.program, loop, static_cast<BufferId>(random() % 2)).status();
          break;
        default:
          what = "unroll-and-jam";
          status = transforms::UnrollAndJam(t.program, loop, factor).status();
          break;
      }
      SCOPED_TRACE(testing::Message() << "round " << round << ", step " << step << ": " << what
                                      << " of " << loops::PrintLoopStmt(t.program, loop));
      if (status.ok()) {
        ++accepted;
        ExpectSameBits(original, t.program);
      } else {
        ++refused;
        EXPECT_NE(status.code(), absl::StatusCode::kInternal) << status;
        EXPECT_EQ(loops::PrintLoopProgram(t.program), before) << status;
      }
      if (testing::Test::HasFailure()) return;
    }
  }
  // Both outcomes were exercised.
  EXPECT_GT(accepted, 100) << refused << " refused";
  EXPECT_GT(refused, 50) << accepted << " accepted";
}

}  // namespace
}  // namespace dlc::transform_test
