; A critical section whose lock is not a global variable (here reached
; through a pointer, as a frontend other than clang may emit) cannot be
; replayed in reverse, which orders the sections by a ticket kept with the
; lock: a clean error naming the function, not a crash.
; RUN: %not %opt -passes='default<O1>' -disable-output %s 2>&1 | %FileCheck %s
; CHECK: error: {{.*}}fluxion: cannot differentiate a critical section whose lock is not a global variable (in function 'f.omp_outlined')

%struct.ident_t = type { i32, i32, i32, i32, ptr }

@0 = private unnamed_addr constant [23 x i8] c";unknown;unknown;0;0;;\00", align 1
@1 = private unnamed_addr constant %struct.ident_t { i32 0, i32 514, i32 0, i32 22, ptr @0 }, align 8
@.gomp_critical_user_.var = common global [8 x i32] zeroinitializer, align 8
@lock.address = global ptr @.gomp_critical_user_.var
@2 = private unnamed_addr constant %struct.ident_t { i32 0, i32 2, i32 0, i32 22, ptr @0 }, align 8

; Function Attrs: nounwind uwtable
define dso_local double @f(ptr noundef %0, i32 noundef %1) {
  %3 = alloca ptr, align 8
  %4 = alloca i32, align 4
  %5 = alloca double, align 8
  store ptr %0, ptr %3, align 8
  store i32 %1, ptr %4, align 4
  call void @llvm.lifetime.start.p0(ptr %5)
  store double 0.000000e+00, ptr %5, align 8
  call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @2, i32 3, ptr @f.omp_outlined, ptr %4, ptr %5, ptr %3)
  %6 = load double, ptr %5, align 8
  call void @llvm.lifetime.end.p0(ptr %5)
  ret double %6
}

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(ptr captures(none))

; Function Attrs: alwaysinline norecurse nounwind uwtable
define internal void @f.omp_outlined(ptr noalias noundef %0, ptr noalias noundef %1, ptr noundef nonnull align 4 dereferenceable(4) %2, ptr noundef nonnull align 8 dereferenceable(8) %3, ptr noundef nonnull align 8 dereferenceable(8) %4) {
  %6 = alloca ptr, align 8
  %7 = alloca ptr, align 8
  %8 = alloca ptr, align 8
  %9 = alloca ptr, align 8
  %10 = alloca ptr, align 8
  %11 = alloca i32, align 4
  %12 = alloca i32, align 4
  %13 = alloca i32, align 4
  %14 = alloca i32, align 4
  %15 = alloca i32, align 4
  %16 = alloca i32, align 4
  %17 = alloca i32, align 4
  %18 = alloca i32, align 4
  %19 = alloca i32, align 4
  %20 = alloca i32, align 4
  store ptr %0, ptr %6, align 8
  store ptr %1, ptr %7, align 8
  store ptr %2, ptr %8, align 8
  store ptr %3, ptr %9, align 8
  store ptr %4, ptr %10, align 8
  %21 = load ptr, ptr %8, align 8
  %22 = load ptr, ptr %9, align 8
  %23 = load ptr, ptr %10, align 8
  call void @llvm.lifetime.start.p0(ptr %11)
  call void @llvm.lifetime.start.p0(ptr %13)
  %24 = load i32, ptr %21, align 4
  store i32 %24, ptr %13, align 4
  call void @llvm.lifetime.start.p0(ptr %14)
  %25 = load i32, ptr %13, align 4
  %26 = sub nsw i32 %25, 0
  %27 = sdiv i32 %26, 1
  %28 = sub nsw i32 %27, 1
  store i32 %28, ptr %14, align 4
  call void @llvm.lifetime.start.p0(ptr %15)
  store i32 0, ptr %15, align 4
  call void @llvm.lifetime.end.p0(ptr %15)
  %29 = load i32, ptr %13, align 4
  %30 = icmp slt i32 0, %29
  br i1 %30, label %31, label %76

31:                                               ; preds = %5
  call void @llvm.lifetime.start.p0(ptr %16)
  store i32 0, ptr %16, align 4
  call void @llvm.lifetime.start.p0(ptr %17)
  %32 = load i32, ptr %14, align 4
  store i32 %32, ptr %17, align 4
  call void @llvm.lifetime.start.p0(ptr %18)
  store i32 1, ptr %18, align 4
  call void @llvm.lifetime.start.p0(ptr %19)
  store i32 0, ptr %19, align 4
  call void @llvm.lifetime.start.p0(ptr %20)
  %33 = load ptr, ptr %6, align 8
  %34 = load i32, ptr %33, align 4
  call void @__kmpc_for_static_init_4(ptr @1, i32 %34, i32 34, ptr %19, ptr %16, ptr %17, ptr %18, i32 1, i32 1)
  %35 = load i32, ptr %17, align 4
  %36 = load i32, ptr %14, align 4
  %37 = icmp sgt i32 %35, %36
  br i1 %37, label %38, label %40

38:                                               ; preds = %31
  %39 = load i32, ptr %14, align 4
  br label %42

40:                                               ; preds = %31
  %41 = load i32, ptr %17, align 4
  br label %42

42:                                               ; preds = %40, %38
  %43 = phi i32 [ %39, %38 ], [ %41, %40 ]
  store i32 %43, ptr %17, align 4
  %44 = load i32, ptr %16, align 4
  store i32 %44, ptr %11, align 4
  br label %45

45:                                               ; preds = %69, %42
  %46 = load i32, ptr %11, align 4
  %47 = load i32, ptr %17, align 4
  %48 = icmp sle i32 %46, %47
  br i1 %48, label %50, label %49

49:                                               ; preds = %45
  br label %72

50:                                               ; preds = %45
  %51 = load i32, ptr %11, align 4
  %52 = mul nsw i32 %51, 1
  %53 = add nsw i32 0, %52
  store i32 %53, ptr %20, align 4
  %54 = load ptr, ptr %6, align 8
  %55 = load i32, ptr %54, align 4
  %lock = load ptr, ptr @lock.address
  call void @__kmpc_critical(ptr @2, i32 %55, ptr %lock)
  %56 = load ptr, ptr %23, align 8
  %57 = load i32, ptr %20, align 4
  %58 = sext i32 %57 to i64
  %59 = getelementptr inbounds double, ptr %56, i64 %58
  %60 = load double, ptr %59, align 8
  %61 = load ptr, ptr %23, align 8
  %62 = load i32, ptr %20, align 4
  %63 = sext i32 %62 to i64
  %64 = getelementptr inbounds double, ptr %61, i64 %63
  %65 = load double, ptr %64, align 8
  %66 = load double, ptr %22, align 8
  %67 = call double @llvm.fmuladd.f64(double %60, double %65, double %66)
  store double %67, ptr %22, align 8
  call void @__kmpc_end_critical(ptr @2, i32 %55, ptr %lock)
  br label %68

68:                                               ; preds = %50
  br label %69

69:                                               ; preds = %68
  %70 = load i32, ptr %11, align 4
  %71 = add nsw i32 %70, 1
  store i32 %71, ptr %11, align 4
  br label %45

72:                                               ; preds = %49
  br label %73

73:                                               ; preds = %72
  %74 = load ptr, ptr %6, align 8
  %75 = load i32, ptr %74, align 4
  call void @__kmpc_for_static_fini(ptr @1, i32 %75)
  call void @llvm.lifetime.end.p0(ptr %20)
  call void @llvm.lifetime.end.p0(ptr %19)
  call void @llvm.lifetime.end.p0(ptr %18)
  call void @llvm.lifetime.end.p0(ptr %17)
  call void @llvm.lifetime.end.p0(ptr %16)
  br label %76

76:                                               ; preds = %73, %5
  call void @llvm.lifetime.end.p0(ptr %14)
  call void @llvm.lifetime.end.p0(ptr %13)
  call void @llvm.lifetime.end.p0(ptr %11)
  ret void
}

; Function Attrs: nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.end.p0(ptr captures(none))

; Function Attrs: nounwind
declare void @__kmpc_for_static_init_4(ptr, i32, i32, ptr, ptr, ptr, ptr, i32, i32)

; Function Attrs: convergent nounwind
declare void @__kmpc_critical(ptr, i32, ptr)

; Function Attrs: convergent nounwind
declare void @__kmpc_end_critical(ptr, i32, ptr)

; Function Attrs: nocallback nocreateundeforpoison nofree nosync nounwind speculatable willreturn memory(none)
declare double @llvm.fmuladd.f64(double, double, double)

; Function Attrs: nounwind
declare void @__kmpc_for_static_fini(ptr, i32)

; Function Attrs: nounwind
declare void @__kmpc_fork_call(ptr, i32, ptr, ...)

; Function Attrs: nounwind uwtable
define dso_local double @g(ptr noundef %0, ptr noundef %1, i32 noundef %2) {
  %4 = alloca ptr, align 8
  %5 = alloca ptr, align 8
  %6 = alloca i32, align 4
  store ptr %0, ptr %4, align 8
  store ptr %1, ptr %5, align 8
  store i32 %2, ptr %6, align 4
  %7 = load ptr, ptr %4, align 8
  %8 = load ptr, ptr %5, align 8
  %9 = load i32, ptr %6, align 4
  %10 = call double (ptr, ...) @__enzyme_autodiff(ptr noundef @f, ptr noundef %7, ptr noundef %8, i32 noundef %9)
  ret double %10
}

declare double @__enzyme_autodiff(ptr noundef, ...)
