// f32 exp and log in the generated code; see vector_math.h for why and how.
// Every step is a select or plain arithmetic, so a <16 x float> operand gives
// sixteen lanes of straight-line vector code and a float gives one.
#include "passes/codegen/vector_math.h"

#include <cfloat>
#include <limits>

#include "llvm/IR/Constants.h"
#include "llvm/IR/Intrinsics.h"
#include "passes/codegen/llvm_types.h"

namespace dlc::codegen::internal {
namespace {

// Constants and arithmetic on values shaped like `like` (float or <n x float>).
class Math {
 public:
  Math(llvm::IRBuilder<>& b, llvm::Value* like, bool fuse)
      : b_(b), f_(like->getType()), i_(TypeLike(b.getInt32Ty(), like)), fuse_(fuse) {}

  llvm::Type* int_type() const { return i_; }
  llvm::Constant* F(double v) const { return llvm::ConstantFP::get(f_, v); }
  llvm::Constant* I(int32_t v) const { return llvm::ConstantInt::get(i_, v, true); }

  // x * y + z.
  llvm::Value* MulAdd(llvm::Value* x, llvm::Value* y, llvm::Value* z) {
    if (!fuse_) return b_.CreateFAdd(b_.CreateFMul(x, y), z);
    return b_.CreateIntrinsic(llvm::Intrinsic::fmuladd, {f_}, {x, y, z});
  }

  // c[0] t^(n-1) + ... + c[n-1], by Horner's rule.
  llvm::Value* Polynomial(llvm::Value* t, std::initializer_list<double> c) {
    llvm::Value* p = F(*c.begin());
    for (auto it = c.begin() + 1; it != c.end(); ++it) p = MulAdd(p, t, F(*it));
    return p;
  }

  // 2^n for integer n in [-126, 127], as float bits.
  llvm::Value* Pow2(llvm::Value* n) {
    return b_.CreateBitCast(b_.CreateShl(b_.CreateAdd(n, I(127)), I(23)), f_);
  }

 private:
  llvm::IRBuilder<>& b_;
  llvm::Type* f_;
  llvm::Type* i_;
  bool fuse_;
};

// ln2 = kLn2Hi + kLn2Lo; kLn2Hi has 9 significant bits, so k kLn2Hi is exact
// for |k| < 2^15.
constexpr double kLn2Hi = 0.693359375;
constexpr double kLn2Lo = -2.12194440e-4;

}  // namespace

llvm::Value* EmitExpF32(llvm::IRBuilder<>& b, llvm::Value* x, bool fuse) {
  Math m(b, x, fuse);
  // Past these, e^x is +inf or rounds to 0, and the clamped x gives just
  // that; inside them 2^k spans 2^-150 .. 2^128. A NaN is clamped to the
  // low end (ordered compares are false) and put back at the end.
  constexpr double kLow = -104.0, kHigh = 89.0;
  llvm::Value* xc = b.CreateSelect(b.CreateFCmpOGE(x, m.F(kLow)), x, m.F(kLow));
  xc = b.CreateSelect(b.CreateFCmpOLE(xc, m.F(kHigh)), xc, m.F(kHigh));

  // k = round(x / ln2): adding 1.5 * 2^23 leaves no fraction bits.
  constexpr double kRound = 0x1.8p23;
  llvm::Value* kf = b.CreateFSub(m.MulAdd(xc, m.F(1.44269504088896341), m.F(kRound)), m.F(kRound));
  llvm::Value* neg_kf = b.CreateFNeg(kf);
  llvm::Value* r = m.MulAdd(neg_kf, m.F(kLn2Hi), xc);  // exact
  r = m.MulAdd(neg_kf, m.F(kLn2Lo), r);

  // e^r = 1 + r + r^2 P(r) on |r| <= ln2/2 (Cephes expf).
  llvm::Value* p = m.Polynomial(r, {1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
                                    4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1});
  llvm::Value* y = b.CreateFAdd(m.MulAdd(p, b.CreateFMul(r, r), r), m.F(1.0));

  // y 2^k as y 2^(k>>1) 2^(k - (k>>1)): each factor is a normal float, the
  // first product is exact and the second rounds once, into the denormals
  // or to +inf where the true result lies there.
  llvm::Value* k = b.CreateFPToSI(kf, m.int_type());
  llvm::Value* k1 = b.CreateAShr(k, m.I(1));
  llvm::Value* k2 = b.CreateSub(k, k1);
  y = b.CreateFMul(b.CreateFMul(y, m.Pow2(k1)), m.Pow2(k2));
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, y);
}

llvm::Value* EmitLogF32(llvm::IRBuilder<>& b, llvm::Value* x, bool fuse) {
  Math m(b, x, fuse);
  // Denormals (and zeros and negatives, fixed below) scaled into the
  // normal range by 2^23, which k takes back.
  llvm::Value* tiny = b.CreateFCmpOLT(x, m.F(FLT_MIN));
  llvm::Value* xs = b.CreateSelect(tiny, b.CreateFMul(x, m.F(0x1p23)), x);
  llvm::Value* bits = b.CreateBitCast(xs, m.int_type());

  // x = 2^k mant with mant in [sqrt(1/2), sqrt(2)): offset the bits so that
  // the exponent field steps up where the mantissa passes sqrt(2), take it
  // off again below (musl's logf).
  constexpr int32_t kSqrtHalf = 0x3f3504f3;  // bits of sqrt(1/2)
  bits = b.CreateAdd(bits, m.I(0x3f800000 - kSqrtHalf));
  llvm::Value* k = b.CreateSub(b.CreateAShr(bits, m.I(23)), m.I(0x7f));
  k = b.CreateAdd(k, b.CreateSelect(tiny, m.I(-23), m.I(0)));
  llvm::Value* mant = b.CreateBitCast(
      b.CreateAdd(b.CreateAnd(bits, m.I(0x007fffff)), m.I(kSqrtHalf)), x->getType());
  llvm::Value* t = b.CreateFSub(mant, m.F(1.0));  // exact: mant is within a factor 2 of 1
  llvm::Value* kf = b.CreateSIToFP(k, x->getType());

  // log(1 + t) = t - t^2/2 + t^3 P(t) on [sqrt(1/2) - 1, sqrt(2) - 1]
  // (Cephes logf); the small terms first, then t, then k ln2_hi (exact).
  llvm::Value* t2 = b.CreateFMul(t, t);
  llvm::Value* p = m.Polynomial(
      t, {7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1});
  llvm::Value* y = b.CreateFMul(b.CreateFMul(p, t), t2);
  y = m.MulAdd(kf, m.F(kLn2Lo), y);
  y = m.MulAdd(t2, m.F(-0.5), y);
  llvm::Value* z = m.MulAdd(kf, m.F(kLn2Hi), b.CreateFAdd(t, y));

  const double inf = std::numeric_limits<double>::infinity();
  z = b.CreateSelect(b.CreateFCmpOEQ(x, m.F(inf)), m.F(inf), z);
  z = b.CreateSelect(b.CreateFCmpOEQ(x, m.F(0.0)), m.F(-inf), z);
  // Negative or NaN: NaN.
  return b.CreateSelect(b.CreateFCmpULT(x, m.F(0.0)), m.F(std::numeric_limits<double>::quiet_NaN()),
                        z);
}

}  // namespace dlc::codegen::internal
