; In GPU code a combined gradient can take its tape stacks' room from a tape
; arena (ad_tape_arena, slice, bytes): the gradient keeps the arena state
; {next, end} over [slice, slice + bytes) in its frame and stores its address
; at the start of the tape. The augmented function sums the bytes its stacks
; reserve at entry (here from the trip count m - tid, a special register
; read at the entry) before it reads the arena, reserves each stack from the
; arena when it has the room and from the heap otherwise, and a stack frees
; only heap buffers (growth and release). __ad_tape_bytes is the entry of the
; augmented function up to that sum; __ad_tape_reserved is 1 for a gradient
; whose stacks' bytes depend on its arguments and 2 for one whose loops have
; constant trip counts (its bytes are a constant).
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
declare double @llvm.sin.f64(double)
declare void @__enzyme_autodiff(ptr, ...)
declare i64 @__ad_tape_bytes(ptr, ...)
declare i64 @__ad_tape_reserved(ptr, ...)
@ad_tape_arena = external global i32
@enzyme_dup = external global i32
@enzyme_const = external global i32

; y = sin(sin(...sin(x)...)), m - tid steps
define void @steps(ptr %x, i32 %m) {
entry:
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %n = sub i32 %m, %t
  %x0 = load double, ptr %x
  br label %loop
loop:
  %k = phi i32 [ 0, %entry ], [ %k.next, %loop ]
  %a = phi double [ %x0, %entry ], [ %a.next, %loop ]
  %a.next = call double @llvm.sin.f64(double %a)
  %k.next = add nsw i32 %k, 1
  %more = icmp slt i32 %k.next, %n
  br i1 %more, label %loop, label %exit
exit:
  store double %a.next, ptr %x
  ret void
}

define void @gradient(ptr %slice, i64 %bytes, ptr %x, ptr %dx, i32 %m) {
  %arena = load i32, ptr @ad_tape_arena
  %dup = load i32, ptr @enzyme_dup
  %const = load i32, ptr @enzyme_const
  call void (ptr, ...) @__enzyme_autodiff(ptr @steps, i32 %arena, ptr %slice, i64 %bytes, i32 %dup, ptr %x, ptr %dx, i32 %const, i32 %m)
  ret void
}

define i64 @sizes(ptr %x, ptr %dx, i32 %m) {
  %dup = load i32, ptr @enzyme_dup
  %const = load i32, ptr @enzyme_const
  %b = call i64 (ptr, ...) @__ad_tape_bytes(ptr @steps, i32 %dup, ptr %x, ptr %dx, i32 %const, i32 %m)
  %r = call i64 (ptr, ...) @__ad_tape_reserved(ptr @steps, i32 %dup, ptr %x, ptr %dx, i32 %const, i32 %m)
  %s = add i64 %b, %r
  ret i64 %s
}

; 10 steps, whatever the arguments.
define void @fixed(ptr %x) {
entry:
  %x0 = load double, ptr %x
  br label %loop
loop:
  %k = phi i32 [ 0, %entry ], [ %k.next, %loop ]
  %a = phi double [ %x0, %entry ], [ %a.next, %loop ]
  %a.next = call double @llvm.sin.f64(double %a)
  %k.next = add nsw i32 %k, 1
  %more = icmp slt i32 %k.next, 10
  br i1 %more, label %loop, label %exit
exit:
  store double %a.next, ptr %x
  ret void
}

define i64 @fixed_sizes(ptr %x, ptr %dx) {
  %dup = load i32, ptr @enzyme_dup
  %b = call i64 (ptr, ...) @__ad_tape_bytes(ptr @fixed, i32 %dup, ptr %x, ptr %dx)
  %r = call i64 (ptr, ...) @__ad_tape_reserved(ptr @fixed, i32 %dup, ptr %x, ptr %dx)
  %s = mul i64 %b, %r
  ret i64 %s
}

; CHECK-LABEL: define void @gradient(
; CHECK-NEXT: call void @fluxion.grad.arena.steps.dup.const(ptr %slice, i64 %bytes, ptr %x, ptr %dx, i32 %m)

; CHECK-LABEL: define i64 @sizes(
; CHECK-NEXT: %[[B:.*]] = call i64 @fluxion.tapebytes.steps.dup.const(ptr null, ptr %x, ptr %dx, i32 %m)
; CHECK-NEXT: add i64 %[[B]], 1

; CHECK-LABEL: define i64 @fixed_sizes(
; CHECK-NEXT: %[[FB:.*]] = call i64 @fluxion.tapebytes.fixed.dup(ptr null, ptr %x, ptr %dx)
; CHECK-NEXT: mul i64 %[[FB]], 2

; CHECK-LABEL: define internal void @fluxion.aug.steps.dup.const(ptr %tape,
; CHECK: call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
; CHECK: %tape.max.runs = select
; CHECK-NEXT: %[[BYTES:.*]] = mul i64 %tape.max.runs, 8
; CHECK-NEXT: %[[ROUNDED:.*]] = add i64 %[[BYTES]], 15
; CHECK-NEXT: and i64 %[[ROUNDED]], -16
; CHECK-NEXT: %tape.arena = load ptr, ptr %tape
; CHECK: %tape.heap.owned = getelementptr inbounds i8, ptr %[[HEADER:.*]], i64 24
; CHECK-NEXT: store i64 0, ptr %tape.heap.owned
; CHECK: call void @fluxion.tape.reserve(ptr %[[HEADER]], ptr %tape.arena, i64
; CHECK: loop:
; CHECK: call ptr @fluxion.tape.push(

; CHECK-LABEL: define internal void @fluxion.rev.steps.dup.const(
; CHECK: %[[OWNED:.*]] = load i64, ptr %tape.heap.owned
; CHECK-NEXT: %[[ISHEAP:.*]] = icmp ne i64 %[[OWNED]], 0
; CHECK-NEXT: %[[HEAP:.*]] = select i1 %[[ISHEAP]], ptr %tape.buffer{{.*}}, ptr null
; CHECK-NEXT: call void @free(ptr %[[HEAP]])

; CHECK-LABEL: define internal ptr @fluxion.tape.push(
; CHECK: %new.buffer = call ptr @fluxion.tape.allocate(ptr null,
; CHECK: %[[POWNED:.*]] = load i64, ptr %tape.heap.owned
; CHECK-NEXT: %[[PISHEAP:.*]] = icmp ne i64 %[[POWNED]], 0
; CHECK-NEXT: %[[OLD:.*]] = select i1 %[[PISHEAP]], ptr %buffer, ptr null
; CHECK-NEXT: call void @free(ptr %[[OLD]])
; CHECK: store i64 1, ptr %tape.heap.owned

; CHECK-LABEL: define internal ptr @fluxion.tape.allocate(ptr %0, i64 %1)
; CHECK: %[[MEMORY:.*]] = call ptr @malloc(i64 %1)
; CHECK: exhausted:
; CHECK-NEXT: call void @llvm.trap()

; CHECK-LABEL: define internal void @fluxion.tape.reserve(ptr %0, ptr %1, i64 %2)
; CHECK: br i1 %{{.*}}, label %from.heap, label %try.arena
; CHECK: try.arena:
; CHECK: %arena.next = load ptr, ptr %1
; CHECK: %arena.end = load ptr
; CHECK: %arena.room = sub i64
; CHECK: br i1 %{{.*}}, label %from.arena, label %from.heap
; CHECK: from.arena:
; CHECK-NEXT: %[[NEXT:.*]] = getelementptr i8, ptr %arena.next
; CHECK-NEXT: store ptr %[[NEXT]], ptr %1
; CHECK-NEXT: store ptr %arena.next, ptr %0
; CHECK: from.heap:
; CHECK-NEXT: %tape.reserved = call ptr @fluxion.tape.allocate(ptr null, i64 %2)
; CHECK-NEXT: store ptr %tape.reserved, ptr %0
; CHECK: store i64 1, ptr %tape.heap.owned

; CHECK-LABEL: define internal void @fluxion.grad.arena.steps.dup.const(ptr %0, i64 %1,
; CHECK: %tape = alloca [48 x i8], align 16
; CHECK-NEXT: %arena = alloca { ptr, ptr }
; CHECK-NEXT: %[[NOSLICE:.*]] = icmp eq ptr %0, null
; CHECK-NEXT: %[[SIZE:.*]] = select i1 %[[NOSLICE]], i64 0, i64 %1
; CHECK-NEXT: %[[NEXTP:.*]] = getelementptr inbounds nuw { ptr, ptr }, ptr %arena, i32 0, i32 0
; CHECK-NEXT: store ptr %0, ptr %[[NEXTP]]
; CHECK-NEXT: %[[ENDP:.*]] = getelementptr inbounds nuw { ptr, ptr }, ptr %arena, i32 0, i32 1
; CHECK-NEXT: %[[END:.*]] = getelementptr i8, ptr %0, i64 %[[SIZE]]
; CHECK-NEXT: store ptr %[[END]], ptr %[[ENDP]]
; CHECK-NEXT: store ptr %arena, ptr %tape

; Ten runs of the loop's 8-byte stack: 80 bytes.
; CHECK-LABEL: define internal i64 @fluxion.tapebytes.fixed.dup(ptr %0, ptr %1, ptr %2)
; CHECK-NEXT: entry:
; CHECK-NEXT: ret i64 80

; CHECK-LABEL: define internal i64 @fluxion.tapebytes.steps.dup.const(ptr %0, ptr %1, ptr %2, i32 %3)
; CHECK-NEXT: entry:
; CHECK-NEXT: call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
; CHECK-NOT: load
; CHECK-NOT: call void
; CHECK: %[[SUM:.*]] = and i64 %{{.*}}, -16
; CHECK-NEXT: ret i64 %[[SUM]]
; CHECK-NEXT: }
