//===- Registry.cpp - Registration calls emitted by clang -----------------===//

#include "Registry.h"
#include "Diagnostics.h"

#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector_types.h>

namespace fluxion::cudacpu {

namespace {

/// What __cudaRegisterFatBinary returns: the token of the host object.
struct HostModule {
  std::string Token;
};

struct HostName {
  HostModule *Module;
  std::string Name;
};

struct State {
  std::mutex Lock;
  std::map<std::string, const FxcpuModuleInfo *> DeviceModules;
  std::map<const void *, HostName> Functions, Variables;
  std::map<const void *, KernelRecord> Kernels;
};

State &state() {
  static State *S = new State;
  return *S;
}

const FxcpuModuleInfo *deviceModule(State &S, const HostModule &M) {
  auto It = S.DeviceModules.find(M.Token);
  return It == S.DeviceModules.end() ? nullptr : It->second;
}

} // namespace

KernelRecord *findKernel(const void *HostFunction) {
  State &S = state();
  std::lock_guard<std::mutex> Guard(S.Lock);
  auto Known = S.Kernels.find(HostFunction);
  if (Known != S.Kernels.end())
    return &Known->second;
  auto Named = S.Functions.find(HostFunction);
  if (Named == S.Functions.end())
    return nullptr;
  const FxcpuModuleInfo *Device = deviceModule(S, *Named->second.Module);
  if (!Device)
    fatal("the device code of kernel %s was not linked into this program",
          Named->second.Name.c_str());
  for (uint32_t I = 0; I < Device->NumKernels; ++I) {
    const FxcpuKernelInfo &K = Device->Kernels[I];
    if (Named->second.Name == K.Name) {
      KernelRecord &R = S.Kernels[HostFunction];
      R.Name = K.Name;
      R.Info = &K;
      R.Module = Device;
      return &R;
    }
  }
  fatal("kernel %s is registered by the host but missing from the device "
        "code",
        Named->second.Name.c_str());
}

bool findVariable(const void *HostVar, void *&Address, size_t &Size) {
  State &S = state();
  std::lock_guard<std::mutex> Guard(S.Lock);
  auto Named = S.Variables.find(HostVar);
  if (Named == S.Variables.end())
    return false;
  const FxcpuModuleInfo *Device = deviceModule(S, *Named->second.Module);
  for (uint32_t I = 0; Device && I < Device->NumVars; ++I) {
    if (Named->second.Name == Device->Vars[I].Name) {
      Address = Device->Vars[I].Address;
      Size = Device->Vars[I].Size;
      return true;
    }
  }
  fatal("device variable %s is registered by the host but missing from the "
        "device code",
        Named->second.Name.c_str());
}

} // namespace fluxion::cudacpu

using namespace fluxion::cudacpu;

namespace {
/// Layout of the __cuda_fatbin_wrapper that clang emits.
struct FatbinWrapper {
  int Magic;
  int Version;
  const char *Data;
  void *Unused;
};
} // namespace

extern "C" {

void __fxcpu_register_module(const FxcpuModuleInfo *Module) {
  if (Module->AbiVersion != FXCPU_ABI_VERSION)
    fatal("device code was built by another version of fluxion-cuda-cpu "
          "(ABI %u, runtime expects %u); rebuild the program",
          Module->AbiVersion, FXCPU_ABI_VERSION);
  State &S = state();
  std::lock_guard<std::mutex> Guard(S.Lock);
  S.DeviceModules[Module->Token] = Module;
}

void **__cudaRegisterFatBinary(void *Wrapper) {
  const char *Data = static_cast<FatbinWrapper *>(Wrapper)->Data;
  size_t PrefixLen = strlen(FXCPU_FATBIN_PREFIX);
  if (!Data || strncmp(Data, FXCPU_FATBIN_PREFIX, PrefixLen) != 0)
    fatal("this program contains GPU code that was not built by "
          "fluxion-cuda-cpu; build every CUDA file with fluxion-cuda-cpu");
  auto *M = new HostModule{std::string(Data + PrefixLen)};
  return reinterpret_cast<void **>(M);
}

void __cudaRegisterFatBinaryEnd(void **) {}
void __cudaUnregisterFatBinary(void **) {}

void __cudaRegisterFunction(void **Handle, const char *HostFun, char *DeviceFun,
                            const char *, int, void *, void *, void *, void *,
                            int *) {
  State &S = state();
  std::lock_guard<std::mutex> Guard(S.Lock);
  S.Functions[HostFun] = {reinterpret_cast<HostModule *>(Handle), DeviceFun};
}

void __cudaRegisterVar(void **Handle, char *HostVar, char *DeviceAddress,
                       const char *, int, size_t, int, int) {
  State &S = state();
  std::lock_guard<std::mutex> Guard(S.Lock);
  S.Variables[HostVar] = {reinterpret_cast<HostModule *>(Handle),
                          DeviceAddress};
}

void __cudaRegisterManagedVar(void **, void **, char *, const char *, int,
                              size_t, int, int) {
  unsupported("__managed__ variables");
}

void __cudaRegisterTexture(void **, const void *, const void **, const char *,
                           int, int, int) {
  unsupported("texture references");
}

void __cudaRegisterSurface(void **, const void *, const void **, const char *,
                           int, int) {
  unsupported("surface references");
}

} // extern "C"
