import os
import lit.formats

config.name = "Fluxion"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".ll", ".c", ".cpp"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(os.path.dirname(config.fluxion_plugin), "..", "test", "lit", "out")
config.excludes = ["CMakeLists.txt", "Inputs"]

tools = config.llvm_tools_dir
# opt verifies its output; -verify-each also checks after every pass.
config.substitutions.append(
    ("%opt", f"{tools}/opt -load-pass-plugin={config.fluxion_plugin} -verify-each"))
config.substitutions.append(("%fluxion-clang\\+\\+", f"{config.fluxion_bin_dir}/fluxion-clang++"))
config.substitutions.append(("%fluxion-clang", f"{config.fluxion_bin_dir}/fluxion-clang"))
# The build tree's root: bin/, lib/ and include/ laid out as an installation.
config.substitutions.append(
    ("%fluxion-tree", os.path.normpath(os.path.join(config.fluxion_bin_dir, ".."))))
config.substitutions.append(("%FileCheck", f"{tools}/FileCheck"))
config.substitutions.append(("%not", f"{tools}/not"))
config.environment["PATH"] = os.pathsep.join([tools, config.environment.get("PATH", "")])
