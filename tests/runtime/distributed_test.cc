// runtime/distributed without MPI: the sharding rule, and the
// single-process communicator, which must leave everything as it is.
#include <numeric>

#include "gtest/gtest.h"
#include "runtime/distributed/communicator.h"
#include "runtime/distributed/sharding.h"

namespace dlc::distributed {
namespace {

// The slices of every rank tile [0, total) in rank order, and differ in
// size by at most one, the larger first.
void ExpectTiles(int64_t total, int ranks) {
  int64_t next = 0;
  for (int r = 0; r < ranks; ++r) {
    const Slice s = SliceOf(total, r, ranks);
    EXPECT_EQ(s.begin, next) << total << " over " << ranks << ", rank " << r;
    EXPECT_TRUE(s.size == total / ranks || s.size == total / ranks + 1);
    if (r > 0) EXPECT_LE(s.size, SliceOf(total, r - 1, ranks).size);
    next += s.size;
  }
  EXPECT_EQ(next, total);
}

TEST(SliceOfTest, EvenSplit) {
  EXPECT_EQ(SliceOf(32, 1, 2).begin, 16);
  EXPECT_EQ(SliceOf(32, 1, 2).size, 16);
}

TEST(SliceOfTest, UnevenSplitGivesTheFirstRanksOneMore) {
  // 32 over 3: 11, 11, 10.
  EXPECT_EQ(SliceOf(32, 0, 3).size, 11);
  EXPECT_EQ(SliceOf(32, 1, 3).begin, 11);
  EXPECT_EQ(SliceOf(32, 2, 3).begin, 22);
  EXPECT_EQ(SliceOf(32, 2, 3).size, 10);
}

TEST(SliceOfTest, FewerItemsThanRanksLeavesTheLastRanksEmpty) {
  EXPECT_EQ(SliceOf(2, 1, 3).size, 1);
  EXPECT_EQ(SliceOf(2, 2, 3).size, 0);
  EXPECT_EQ(SliceOf(2, 2, 3).begin, 2);
}

TEST(SliceOfTest, EverySplitTilesItsTotal) {
  for (int64_t total : {0, 1, 2, 5, 31, 32, 33, 101773})
    for (int ranks : {1, 2, 3, 4, 7, 64}) ExpectTiles(total, ranks);
}

TEST(SingleProcessCommunicatorTest, IsRankZeroOfOne) {
  auto comm = MakeSingleProcessCommunicator();
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->size(), 1);
  EXPECT_FALSE(comm->HostOf(0).empty());
  EXPECT_EQ(comm->Describe(), "rank 0 on host " + comm->HostOf(0));
}

TEST(SingleProcessCommunicatorTest, CollectivesLeaveValuesAsTheyAre) {
  auto comm = MakeSingleProcessCommunicator();
  std::vector<float> values = {1.5f, -2.0f, 0.0f};
  ASSERT_TRUE(comm->AllreduceSumInRankOrder(values).ok());
  EXPECT_EQ(values, (std::vector<float>{1.5f, -2.0f, 0.0f}));
  EXPECT_TRUE(comm->CheckSame("anything", 42).ok());
  EXPECT_TRUE(comm->Barrier().ok());
}

TEST(ConnectCommunicatorTest, WithoutMpirunIsTheSingleProcessOne) {
  if (LaunchedByMpi()) GTEST_SKIP() << "running under mpirun";
  auto comm = ConnectCommunicator({});
  ASSERT_TRUE(comm.ok()) << comm.status();
  EXPECT_EQ((*comm)->size(), 1);
}

}  // namespace
}  // namespace dlc::distributed
