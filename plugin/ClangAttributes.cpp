//===- ClangAttributes.cpp - Enzyme's source attributes for clang ---------===//
//
// Loaded into clang with -fplugin= (fluxion-clang does so; clang-22 loads
// -fpass-plugin= plugins before parsing too), this part of the plugin
// teaches clang the attributes programs written for Enzyme use, so that they
// are not dropped as unknown (which would differentiate the function's body,
// a silent wrong answer):
//
//   enzyme_inactive, fluxion_inactive: on a function, the function carries
//     no derivative (as with __enzyme_inactivefn); on a global or static
//     member variable, the variable holds no derivative, so active values
//     may be stored to it.
//   enzyme_function_like("name"), fluxion_function_like("name"): every call
//     of the function takes the derivative rule of math function `name`
//     instead of differentiating its body.
//
// Each becomes an annotate attribute ("fluxion.inactive",
// "fluxion.function_like:name"). clang emits those in
// llvm.global.annotations for function declarations and definitions,
// template instances included, and for variable definitions, at every
// optimization level; CustomRules.cpp reads them at the start of the
// pipeline. A variable only declared here (extern, defined in another
// translation unit) gets no entry: storing an active value to it is the
// usual error, never a silent wrong answer.
//
//===----------------------------------------------------------------------===//

#include "CustomRules.h"
#include "DerivativeRules.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/DiagnosticSema.h"
#include "clang/Basic/ParsedAttrInfo.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

#include <dlfcn.h>

using namespace clang;

namespace {

/// Attaches annotation \p Text to \p D.
void annotate(Sema &S, Decl *D, const ParsedAttr &Attr, llvm::StringRef Text) {
  D->addAttr(AnnotateAttr::Create(S.Context, Text, nullptr, 0, Attr));
}

struct InactiveAttrInfo : public ParsedAttrInfo {
  static constexpr Spelling Names[] = {
      {AttributeCommonInfo::AS_GNU, "enzyme_inactive"},
      {AttributeCommonInfo::AS_C23, "enzyme_inactive"},
      {AttributeCommonInfo::AS_CXX11, "enzyme_inactive"},
      {AttributeCommonInfo::AS_CXX11, "enzyme::inactive"},
      {AttributeCommonInfo::AS_C23, "enzyme::inactive"},
      {AttributeCommonInfo::AS_GNU, "fluxion_inactive"},
      {AttributeCommonInfo::AS_C23, "fluxion_inactive"},
      {AttributeCommonInfo::AS_CXX11, "fluxion_inactive"},
      {AttributeCommonInfo::AS_CXX11, "fluxion::inactive"},
      {AttributeCommonInfo::AS_C23, "fluxion::inactive"}};

  InactiveAttrInfo() { Spellings = Names; }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr,
                            const Decl *D) const override {
    // A local variable is a value in a register after mem2reg: there is no
    // memory to exempt.
    const auto *Var = dyn_cast<VarDecl>(D);
    if (isa<FunctionDecl>(D) || (Var && Var->hasGlobalStorage()))
      return true;
    S.Diag(Attr.getLoc(), diag::err_attribute_wrong_decl_type_str)
        << Attr << Attr.isRegularKeywordAttribute()
        << "functions and global variables";
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D,
                                   const ParsedAttr &Attr) const override {
    if (Attr.getNumArgs() != 0) {
      S.Diag(Attr.getLoc(), diag::err_attribute_wrong_number_arguments)
          << Attr << 0;
      return AttributeNotApplied;
    }
    annotate(S, D, Attr, fluxion::InactiveAnnotation);
    return AttributeApplied;
  }
};

struct FunctionLikeAttrInfo : public ParsedAttrInfo {
  static constexpr Spelling Names[] = {
      {AttributeCommonInfo::AS_GNU, "enzyme_function_like"},
      {AttributeCommonInfo::AS_C23, "enzyme_function_like"},
      {AttributeCommonInfo::AS_CXX11, "enzyme_function_like"},
      {AttributeCommonInfo::AS_CXX11, "enzyme::function_like"},
      {AttributeCommonInfo::AS_C23, "enzyme::function_like"},
      {AttributeCommonInfo::AS_GNU, "fluxion_function_like"},
      {AttributeCommonInfo::AS_C23, "fluxion_function_like"},
      {AttributeCommonInfo::AS_CXX11, "fluxion_function_like"},
      {AttributeCommonInfo::AS_CXX11, "fluxion::function_like"},
      {AttributeCommonInfo::AS_C23, "fluxion::function_like"}};

  FunctionLikeAttrInfo() {
    Spellings = Names;
    // The argument is required; handleDeclAttribute says so, since clang
    // cannot for the scoped spellings (see there).
    OptArgs = 1;
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr,
                            const Decl *D) const override {
    if (isa<FunctionDecl>(D))
      return true;
    S.Diag(Attr.getLoc(), diag::err_attribute_wrong_decl_type_str)
        << Attr << Attr.isRegularKeywordAttribute() << "functions";
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D,
                                   const ParsedAttr &Attr) const override {
    // clang parses the arguments of a scoped [[ns::name(...)]] attribute only
    // if a plugin also registers the bare name, and drops them otherwise;
    // `function_like` alone is not a name for Fluxion to take.
    if (Attr.getNumArgs() == 0 && Attr.getScopeName()) {
      unsigned ID = S.getDiagnostics().getCustomDiagID(
          DiagnosticsEngine::Error,
          "clang drops the arguments of %0; write "
          "__attribute__((%1(\"name\"))) or [[%1(\"name\")]] instead");
      S.Diag(Attr.getLoc(), ID)
          << Attr << (Attr.getScopeName()->getName() + "_function_like").str();
      return AttributeNotApplied;
    }
    const auto *Name =
        Attr.getNumArgs() == 1 && Attr.isArgExpr(0)
            ? dyn_cast<StringLiteral>(Attr.getArgAsExpr(0)->IgnoreParenCasts())
            : nullptr;
    if (!Name || !(Name->isOrdinary() || Name->isUTF8())) {
      unsigned ID = S.getDiagnostics().getCustomDiagID(
          DiagnosticsEngine::Error,
          "%0 attribute requires one string literal argument, the name of a "
          "math function such as \"log1p\"");
      S.Diag(Attr.getLoc(), ID) << Attr;
      return AttributeNotApplied;
    }
    // Checked here, where the error can point at the attribute; the pass
    // checks the function's signature, which templates only know once
    // instantiated.
    if (!fluxion::findRuleByName(Name->getString())) {
      unsigned ID = S.getDiagnostics().getCustomDiagID(
          DiagnosticsEngine::Error,
          "%0 attribute names '%1', which has no derivative rule in Fluxion");
      S.Diag(Attr.getLoc(), ID) << Attr << Name->getString();
      return AttributeNotApplied;
    }
    annotate(S, D, Attr,
             (fluxion::FunctionLikeAnnotation + Name->getString()).str());
    return AttributeApplied;
  }
};

} // namespace

/// Adds \p Info to clang's attribute registry when the plugin is loaded into
/// clang. opt loads the plugin too and has no clang inside: the plugin leaves
/// clang's symbols to be bound lazily from the process (see CMakeLists.txt),
/// so nothing of clang's is touched unless the registry is there, and the
/// registry's list is reached only through clang's own function.
template <typename Info>
static bool registerAttribute(llvm::StringRef Name, llvm::StringRef Desc) {
  using Registry = ParsedAttrInfoRegistry;
  auto *AddNode = reinterpret_cast<void (*)(Registry::node *)>(
      dlsym(RTLD_DEFAULT, "_ZN4llvm8RegistryIN5clang14ParsedAttrInfoEE8add_"
                          "nodeEPNS3_4nodeE"));
  if (!AddNode)
    return false;
  static Registry::entry Entry(Name, Desc, [] {
    return std::unique_ptr<ParsedAttrInfo>(std::make_unique<Info>());
  });
  static Registry::node Node(Entry);
  AddNode(&Node);
  return true;
}

[[maybe_unused]] static const bool Registered =
    registerAttribute<InactiveAttrInfo>(
        "fluxion_inactive",
        "the function or global variable carries no derivative") &&
    registerAttribute<FunctionLikeAttrInfo>(
        "fluxion_function_like",
        "calls are differentiated with the rule of the named math function");
