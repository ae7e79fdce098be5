// The wrappers report Fluxion's version, then clang's, and find the plugin
// beside themselves (lib/ next to bin/), in the build tree as in an
// installation.
// RUN: %fluxion-clang --version | %FileCheck %s
// RUN: %fluxion-clang++ --version | %FileCheck %s
// CHECK: Fluxion {{[0-9]+\.[0-9]+\.[0-9]+}} (plugin {{.*}}/lib/FluxionPlugin.so)
// CHECK-NEXT: clang version 22
int main(void) { return 0; }

// A copy of the tree uses its own plugin, headers and runtime, never the
// original's.
// RUN: rm -rf %t && mkdir -p %t/bin %t/lib
// RUN: cp %fluxion-tree/bin/fluxion-clang %t/bin/
// RUN: cp -P %fluxion-tree/lib/FluxionPlugin.so %fluxion-tree/lib/libfluxion_rt.so* %t/lib/
// RUN: cp -r %fluxion-tree/include %t/include
// RUN: %t/bin/fluxion-clang --version | %FileCheck %s --check-prefix=COPY -DTREE=%t
// COPY: Fluxion {{.*}} (plugin [[TREE]]/lib/FluxionPlugin.so)
// RUN: %t/bin/fluxion-clang -O2 -c %s -o %t/version.o
// RUN: rm %t/lib/FluxionPlugin.so
// RUN: %not %t/bin/fluxion-clang -c %s -o %t/version.o 2>&1 | %FileCheck %s --check-prefix=MISSING -DTREE=%t
// MISSING: fluxion-clang: error: the Fluxion plugin is not at [[TREE]]/lib/FluxionPlugin.so
