// Buffers, loads and stores. Inside a vectorized loop an access picks the
// cheapest form its index allows (lane_analysis.h):
//   index the same in every lane   scalar load (broadcast when combined
//                                  with vectors) / store of the last lane
//   index = first lane's + lane    one vector load / store
//   first lane's + k * lane, k <= 4  one wide masked load / store and a shuffle
//   anything else                  gather / scatter
// Under a lane mask (a kIf whose condition varies) the accesses are masked,
// so lanes the guard excludes never touch memory.
#include "llvm/IR/Constants.h"
#include "llvm/IR/Metadata.h"
#include "passes/codegen/function_emitter.h"
#include "passes/codegen/kernel_signature.h"
#include "passes/codegen/lane_analysis.h"
#include "passes/codegen/llvm_types.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::codegen::internal {
namespace {

// Accesses with a constant stride up to this become one wide masked load
// or store and a shuffle (beyond it, too much of the wide vector is idle).
constexpr int64_t kMaxStrideOfWideLoads = 4;

// A shuffle mask over (mask, zeros) of `width` lanes each: element k of
// the result is lane spread[k] of the mask, or a zero lane where -1.
std::vector<int> SpreadMask(const std::vector<int>& spread, int width) {
  std::vector<int> out(spread.size());
  for (size_t k = 0; k < spread.size(); ++k) out[k] = spread[k] >= 0 ? spread[k] : width;
  return out;
}

}  // namespace

using loops::Buffer;
using loops::BufferKind;
using loops::Type;

llvm::Value* FunctionEmitter::LoadSlot(int slot, int64_t alignment, std::string_view name) {
  llvm::Type* pointer = setup_.getPtrTy();
  llvm::Value* address = setup_.CreateConstInBoundsGEP1_64(pointer, args_, slot);
  llvm::LoadInst* loaded = setup_.CreateAlignedLoad(pointer, address, llvm::Align(8), name);
  // The ABI promises 64-byte aligned buffers (emit_llvm.h); temporaries
  // keep what their workspace offset leaves of it.
  loaded->setMetadata(
      llvm::LLVMContext::MD_align,
      llvm::MDNode::get(state_.context,
                        {llvm::ConstantAsMetadata::get(setup_.getInt64(alignment))}));
  loaded->setMetadata(llvm::LLVMContext::MD_noundef, llvm::MDNode::get(state_.context, {}));
  return loaded;
}

llvm::Value* FunctionEmitter::BufferBase(BufferId id) {
  if (buffer_base_[id] != nullptr) return buffer_base_[id];
  const Buffer& buffer = program_.buffer(id);
  std::string_view name = buffer.name;
  if (!name.empty() && name.front() == '%') name.remove_prefix(1);
  switch (buffer.kind) {
    case BufferKind::kInput:
    case BufferKind::kOutput:
    case BufferKind::kTemp:
      buffer_base_[id] = LoadSlot(state_.slot_of[id], SlotAlignment(buffer), name);
      break;
    case BufferKind::kConstant: buffer_base_[id] = state_.constant_globals[id]; break;
    case BufferKind::kLocal: break;  // LocalSlot: no address outside the function
  }
  return buffer_base_[id];
}

llvm::Value* FunctionEmitter::ElementAddress(BufferId buffer, llvm::Value* index) {
  llvm::Type* element = MemoryType(state_.context, program_.buffer(buffer).type);
  return b_.CreateGEP(element, BufferBase(buffer), index);
}

llvm::Align FunctionEmitter::ElementAlign(BufferId buffer) const {
  return state_.module.getDataLayout().getABITypeAlign(
      MemoryType(state_.context, program_.buffer(buffer).type));
}

void FunctionEmitter::AnnotateAccess(llvm::Instruction* access, BufferId buffer) {
  if (state_.alias_scope[buffer] == nullptr) return;
  access->setMetadata(llvm::LLVMContext::MD_alias_scope, state_.alias_scope[buffer]);
  if (state_.noalias[buffer] != nullptr) {
    access->setMetadata(llvm::LLVMContext::MD_noalias, state_.noalias[buffer]);
  }
}

llvm::Value* FunctionEmitter::FromMemory(llvm::Value* loaded, Type type) {
  if (type != Type::kI1) return loaded;
  return b_.CreateICmpNE(loaded, llvm::Constant::getNullValue(loaded->getType()));
}

llvm::Value* FunctionEmitter::ToMemory(llvm::Value* value, Type type) {
  if (type != Type::kI1) return value;
  return b_.CreateZExt(value, TypeLike(b_.getInt8Ty(), value));
}

absl::StatusOr<llvm::Value*> FunctionEmitter::LaneAddresses(BufferId buffer, ExprId index,
                                                            std::optional<int64_t> stride) {
  llvm::Value* lane_index;
  if (stride) {  // first lane's index + stride * lane
    DLC_ASSIGN_OR_RETURN(llvm::Value * first, EmitAtFirstLane(index));
    std::vector<uint64_t> offsets(lanes_->width);
    for (int lane = 0; lane < lanes_->width; ++lane) {
      offsets[lane] = static_cast<uint64_t>(*stride * lane);
    }
    lane_index = b_.CreateAdd(b_.CreateVectorSplat(lanes_->width, first),
                              llvm::ConstantDataVector::get(state_.context, offsets));
  } else {
    DLC_ASSIGN_OR_RETURN(LaneValue value, EmitExpr(index));
    lane_index = Widen(value);
  }
  return ElementAddress(buffer, lane_index);
}

llvm::AllocaInst* FunctionEmitter::LocalSlot(BufferId buffer, int width) {
  llvm::AllocaInst*& slot = locals_[{buffer, width}];
  if (slot == nullptr) {
    llvm::Type* element = MemoryType(state_.context, program_.buffer(buffer).type);
    llvm::Type* type = width > 0 ? llvm::FixedVectorType::get(element, width) : element;
    std::string_view name = program_.buffer(buffer).name;
    if (!name.empty() && name.front() == '%') name.remove_prefix(1);
    slot = setup_.CreateAlloca(type, nullptr, StrCat(name));
  }
  return slot;
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitLocalLoad(const Expr& e) {
  if (at_first_lane_) {
    return absl::InvalidArgumentError(
        StrCat("local ", program_.buffer(e.buffer).name, " is read in an index"));
  }
  const int width = lanes_ ? lanes_->width : 0;
  llvm::AllocaInst* slot = LocalSlot(e.buffer, width);
  llvm::Value* value = b_.CreateLoad(slot->getAllocatedType(), slot);
  return LaneValue{FromMemory(value, program_.buffer(e.buffer).type), width > 0};
}

absl::Status FunctionEmitter::EmitLocalStore(const Stmt& s, LaneValue value) {
  const loops::Type type = program_.buffer(s.buffer).type;
  const int width = lanes_ ? lanes_->width : 0;
  llvm::AllocaInst* slot = LocalSlot(s.buffer, width);
  llvm::Value* stored = width > 0 ? ToMemory(Widen(value), type) : ToMemory(value.value, type);
  // Lanes a guard excludes keep their value. Lanes past the end of the
  // loop's last step need not: no store to memory takes them and no other
  // lane reads them (their masked loads give 0), so a local updated in a
  // partial step (an accumulator over 10 of 16 lanes) costs no blend.
  if (lanes_ && lanes_->mask && lanes_->mask != lanes_->tail_mask) {
    stored = b_.CreateSelect(lanes_->mask, stored, b_.CreateLoad(slot->getAllocatedType(), slot));
  }
  b_.CreateStore(stored, slot);
  return absl::OkStatus();
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitLoad(ExprId id, const Expr& e) {
  if (e.buffer < 0 || e.buffer >= static_cast<BufferId>(program_.buffers.size())) {
    return Error(id, StrCat("buffer #", e.buffer, " does not exist"));
  }
  const Buffer& buffer = program_.buffer(e.buffer);
  if (e.type != buffer.type) return Error(id, "a load must have its buffer's type");
  DLC_RETURN_IF_ERROR(CheckOperand(e.a, Type::kI64, id));
  llvm::LLVMContext& context = state_.context;
  if (buffer.kind == BufferKind::kLocal) return EmitLocalLoad(e);
  llvm::Type* element = MemoryType(context, buffer.type);
  const llvm::Align align = ElementAlign(e.buffer);

  if (buffer.kind == BufferKind::kConstant && buffer.values.size() == 1) {
    // A splat: every element is this value, whatever the index.
    llvm::Constant* value =
        ConstantArray(context, buffer.type, buffer.values)->getAggregateElement(0u);
    return LaneValue{FromMemory(value, buffer.type), false};
  }

  // One element, or one shared by all lanes.
  auto load_one = [&](llvm::Value* index) -> llvm::Value* {
    llvm::Value* address = ElementAddress(e.buffer, index);
    llvm::Instruction* loaded;
    if (lanes_ && lanes_->mask) {
      // Only when some lane is active: the guard may be what keeps the
      // index in bounds.
      llvm::Type* one = llvm::FixedVectorType::get(element, 1);
      llvm::Value* any = b_.CreateVectorSplat(1, b_.CreateOrReduce(lanes_->mask));
      loaded = b_.CreateMaskedLoad(one, address, align, any, llvm::Constant::getNullValue(one));
      AnnotateAccess(loaded, e.buffer);
      return b_.CreateExtractElement(loaded, uint64_t{0});
    }
    loaded = b_.CreateAlignedLoad(element, address, align);
    AnnotateAccess(loaded, e.buffer);
    return loaded;
  };

  if (!lanes_ || at_first_lane_) {
    DLC_ASSIGN_OR_RETURN(LaneValue index, EmitExpr(e.a));
    return LaneValue{FromMemory(load_one(index.value), buffer.type), false};
  }
  const std::optional<int64_t> stride = IndexStride(program_, e.a, lanes_->var);
  if (stride == 0) {
    DLC_ASSIGN_OR_RETURN(llvm::Value * index, EmitAtFirstLane(e.a));
    return LaneValue{FromMemory(load_one(index), buffer.type), false};
  }
  llvm::Type* vector = llvm::FixedVectorType::get(element, lanes_->width);
  llvm::Constant* zeros = llvm::Constant::getNullValue(vector);
  llvm::Instruction* loaded;
  if (stride == 1) {
    DLC_ASSIGN_OR_RETURN(llvm::Value * index, EmitAtFirstLane(e.a));
    llvm::Value* address = ElementAddress(e.buffer, index);
    if (lanes_->mask) {
      loaded = b_.CreateMaskedLoad(vector, address, align, lanes_->mask, zeros);
    } else {
      loaded = b_.CreateAlignedLoad(vector, address, align);
    }
  } else if (stride && *stride >= 2 && *stride <= kMaxStrideOfWideLoads) {
    // A short constant stride (a pool's windows side by side): one
    // contiguous masked load of stride x width elements that takes only
    // the lanes' own, then a shuffle; cheaper than a gather.
    DLC_ASSIGN_OR_RETURN(llvm::Value * index, EmitAtFirstLane(e.a));
    const int width = lanes_->width;
    const int wide_width = static_cast<int>(*stride) * width;
    llvm::Type* wide = llvm::FixedVectorType::get(element, wide_width);
    std::vector<int> spread(wide_width, -1), pick(width);
    for (int lane = 0; lane < width; ++lane) {
      spread[lane * *stride] = lane;
      pick[lane] = static_cast<int>(lane * *stride);
    }
    llvm::Value* lane_mask =
        lanes_->mask ? lanes_->mask : b_.getAllOnesMask(llvm::ElementCount::getFixed(width));
    // Bit lane * stride is the lane's; the bits between stay off, so no
    // element past the last lane's is touched.
    llvm::Value* wide_mask = b_.CreateShuffleVector(
        lane_mask, llvm::Constant::getNullValue(lane_mask->getType()), SpreadMask(spread, width));
    llvm::Value* all = b_.CreateMaskedLoad(wide, ElementAddress(e.buffer, index), align, wide_mask,
                                           llvm::Constant::getNullValue(wide));
    AnnotateAccess(llvm::cast<llvm::Instruction>(all), e.buffer);
    return LaneValue{FromMemory(b_.CreateShuffleVector(all, pick), buffer.type), true};
  } else {
    DLC_ASSIGN_OR_RETURN(llvm::Value * addresses, LaneAddresses(e.buffer, e.a, stride));
    loaded = b_.CreateMaskedGather(vector, addresses, align, lanes_->mask, zeros);
  }
  AnnotateAccess(loaded, e.buffer);
  return LaneValue{FromMemory(loaded, buffer.type), true};
}

absl::Status FunctionEmitter::EmitStore(const Stmt& s) {
  if (s.buffer < 0 || s.buffer >= static_cast<BufferId>(program_.buffers.size())) {
    return absl::InvalidArgumentError(
        StrCat("store to buffer #", s.buffer, ", which does not exist"));
  }
  const Buffer& buffer = program_.buffer(s.buffer);
  if (buffer.kind != BufferKind::kOutput && buffer.kind != BufferKind::kTemp &&
      buffer.kind != BufferKind::kLocal) {
    return absl::InvalidArgumentError(
        StrCat("store to ", buffer.name, ", which is neither an output nor a temporary"));
  }
  DLC_RETURN_IF_ERROR(CheckOperand(s.index, Type::kI64, -1));
  DLC_ASSIGN_OR_RETURN(LaneValue value, EmitOperand(s.value, buffer.type, -1));
  if (buffer.kind == BufferKind::kLocal) return EmitLocalStore(s, value);
  const llvm::Align align = ElementAlign(s.buffer);
  llvm::Instruction* store;

  if (!lanes_) {
    DLC_ASSIGN_OR_RETURN(LaneValue index, EmitExpr(s.index));
    store = b_.CreateAlignedStore(ToMemory(value.value, buffer.type),
                                  ElementAddress(s.buffer, index.value), align);
    AnnotateAccess(store, s.buffer);
    return absl::OkStatus();
  }
  const std::optional<int64_t> stride = IndexStride(program_, s.index, lanes_->var);
  if (stride == 0 && lanes_->mask == nullptr) {
    // Every lane writes the same element; the last lane's write is the one
    // the serial loop leaves behind.
    DLC_ASSIGN_OR_RETURN(llvm::Value * index, EmitAtFirstLane(s.index));
    llvm::Value* last = value.varying
                            ? b_.CreateExtractElement(value.value, uint64_t(lanes_->width - 1))
                            : value.value;
    store =
        b_.CreateAlignedStore(ToMemory(last, buffer.type), ElementAddress(s.buffer, index), align);
  } else if (stride == 1) {
    DLC_ASSIGN_OR_RETURN(llvm::Value * index, EmitAtFirstLane(s.index));
    llvm::Value* vector = ToMemory(Widen(value), buffer.type);
    llvm::Value* address = ElementAddress(s.buffer, index);
    if (lanes_->mask) {
      store = b_.CreateMaskedStore(vector, address, align, lanes_->mask);
    } else {
      store = b_.CreateAlignedStore(vector, address, align);
    }
  } else if (stride && *stride >= 2 && *stride <= kMaxStrideOfWideLoads) {
    // A short constant stride (no two lanes on one element): the lanes
    // spread into a wide vector and one masked store of just their
    // elements, instead of a scatter.
    DLC_ASSIGN_OR_RETURN(llvm::Value * index, EmitAtFirstLane(s.index));
    const int width = lanes_->width;
    llvm::Value* vector = ToMemory(Widen(value), buffer.type);
    std::vector<int> spread(*stride * width, -1);
    for (int lane = 0; lane < width; ++lane) spread[lane * *stride] = lane;
    llvm::Value* wide =
        b_.CreateShuffleVector(vector, llvm::PoisonValue::get(vector->getType()), spread);
    llvm::Value* lane_mask =
        lanes_->mask ? lanes_->mask : b_.getAllOnesMask(llvm::ElementCount::getFixed(width));
    llvm::Value* wide_mask = b_.CreateShuffleVector(
        lane_mask, llvm::Constant::getNullValue(lane_mask->getType()), SpreadMask(spread, width));
    store = b_.CreateMaskedStore(wide, ElementAddress(s.buffer, index), align, wide_mask);
  } else {
    // Scatters write overlapping lanes in lane order, so the last lane wins
    // here too.
    DLC_ASSIGN_OR_RETURN(llvm::Value * addresses, LaneAddresses(s.buffer, s.index, stride));
    store =
        b_.CreateMaskedScatter(ToMemory(Widen(value), buffer.type), addresses, align, lanes_->mask);
  }
  AnnotateAccess(store, s.buffer);
  return absl::OkStatus();
}

}  // namespace dlc::codegen::internal
