// Several adjoints come back as a struct in the user's declared layout: two
// doubles in registers, three through the sret pointer.
// RUN: %fluxion-clang -O2 -S -emit-llvm %s -o - | %FileCheck %s
typedef struct { double a, b; } two;
typedef struct { double a, b, c; } three;
two __ad_autodiff(void *, ...);
three __enzyme_autodiff(void *, ...);

double f2(double x, double y) { return x * y; }
double f3(double x, double y, double z) { return x * y * z; }

// CHECK: define {{.*}} { double, double } @g2(double {{.*}} [[X:%[0-9]+]], double {{.*}} [[Y:%[0-9]+]])
// CHECK-NEXT: [[P:%.*]] = insertvalue { double, double } poison, double [[Y]], 0
// CHECK-NEXT: [[Q:%.*]] = insertvalue { double, double } [[P]], double [[X]], 1
// CHECK-NEXT: ret { double, double } [[Q]]
two g2(double x, double y) { return __ad_autodiff((void *)f2, x, y); }

// CHECK-LABEL: define {{.*}} void @g3(ptr {{.*}}sret
// CHECK: store
three g3(double x, double y, double z) {
  return __enzyme_autodiff((void *)f3, x, y, z);
}
