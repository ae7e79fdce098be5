//===- RetargetMain.cpp - fluxion-cuda-retarget ---------------------------===//
//
// Turns the bitcode of clang's CUDA device compile (nvptx64) into x86-64
// bitcode that runs on the fiber executor of libfluxion_cuda_cpu. Used by the
// fluxion-cuda-cpu driver; see runtime/cuda-cpu/README.md.
//
//===----------------------------------------------------------------------===//

#include "Retarget.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace fluxion::cudacpu;

static cl::opt<std::string> InputFile(cl::Positional, cl::Required,
                                      cl::desc("<nvptx64 bitcode>"));
static cl::opt<std::string> OutputFile("o", cl::Required,
                                       cl::desc("Output bitcode file"),
                                       cl::value_desc("file"));
static cl::opt<std::string>
    Token("token", cl::Required,
          cl::desc("Token shared with the host object's stand-in GPU binary"));
static cl::opt<bool> EmitText("S", cl::desc("Write textual IR"));

static Error retarget(Module &M, std::unique_ptr<Module> &Out) {
  if (!M.getTargetTriple().isNVPTX())
    return retargetError("'" + InputFile + "' is not an NVPTX module (" +
                         M.getTargetTriple().str() + ")");
  Expected<SharedLayout> Layout = lowerSharedMemory(M);
  if (!Layout)
    return Layout.takeError();
  Expected<std::unique_ptr<Module>> Flat = flattenAddressSpaces(M);
  if (!Flat)
    return Flat.takeError();
  Out = std::move(*Flat);
  if (Error E = lowerInlineAsm(*Out))
    return E;
  if (Error E = lowerNvvmIntrinsics(*Out))
    return E;
  if (Error E = finishHostModule(*Out, *Layout, Token))
    return E;
  std::string Problems;
  raw_string_ostream OS(Problems);
  if (verifyModule(*Out, &OS))
    return retargetError("internal error: retargeted module is invalid:\n" +
                         Problems);
  return Error::success();
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Retarget a CUDA device module to the host\n");
  LLVMContext Ctx;
  SMDiagnostic Diag;
  std::unique_ptr<Module> M = parseIRFile(InputFile, Diag, Ctx);
  if (!M) {
    Diag.print(argv[0], errs());
    return 1;
  }
  std::unique_ptr<Module> Out;
  if (Error E = retarget(*M, Out)) {
    handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
      WithColor::error(errs(), "fluxion-cuda-cpu") << EI.message() << "\n";
    });
    return 1;
  }
  std::error_code EC;
  ToolOutputFile File(OutputFile, EC, sys::fs::OF_None);
  if (EC) {
    WithColor::error(errs(), "fluxion-cuda-cpu")
        << OutputFile << ": " << EC.message() << "\n";
    return 1;
  }
  if (EmitText)
    Out->print(File.os(), nullptr);
  else
    WriteBitcodeToFile(*Out, File.os());
  File.keep();
  return 0;
}
