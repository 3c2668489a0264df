"""Target machines and the optimisation pipeline (LLVM's new pass manager through llvmlite).

In-process code targets the host CPU; files target a portable CPU unless asked (``cpu=``).

Example:
    >>> from pyexec.backends.llvm.optimize import host_target_machine
    >>> host_target_machine(2).triple != ""
    True
"""

from __future__ import annotations

import functools

import llvmlite.binding as llvm

from pyexec.backends.llvm.errors import NativeBuildError


@functools.cache
def initialize() -> None:
    """Initialise LLVM's native target once per process."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


def check_opt(opt: int) -> int:
    """Validate an optimisation level (0–3)."""
    if isinstance(opt, bool) or not isinstance(opt, int) or not 0 <= opt <= 3:
        raise NativeBuildError(f"opt must be an integer from 0 to 3, not {opt!r}")
    return opt


@functools.cache
def host_target_machine(opt: int, jit: bool = True) -> llvm.TargetMachine:
    """The host CPU's target machine (its features included), for in-process code.

    Example:
        >>> "x86" in host_target_machine(2).triple or True
        True
    """
    initialize()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=check_opt(opt),
        reloc="pic", codemodel="jitdefault" if jit else "default",
    )


@functools.cache
def file_target_machine(opt: int, cpu: str = "generic") -> llvm.TargetMachine:
    """A target machine for object files: position-independent, for ``cpu`` (``"generic"``: portable,
    ``"native"``: this machine's CPU, or an LLVM CPU name such as ``"x86-64-v3"``)."""
    initialize()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    features = ""
    if cpu == "native":
        cpu, features = llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()
    try:
        return target.create_target_machine(cpu=cpu, features=features, opt=check_opt(opt), reloc="pic",
                                            codemodel="default")
    except RuntimeError as exc:
        raise NativeBuildError(f"cannot target CPU {cpu!r}: {exc}") from None


def optimize(module: llvm.ModuleRef, tm: llvm.TargetMachine, opt: int) -> llvm.ModuleRef:
    """Run the standard ``-O<opt>`` pipeline on ``module`` in place and return it.

    Example:
        >>> m = llvm.parse_assembly("define i64 @f() { ret i64 1 }")
        >>> "ret i64 1" in str(optimize(m, host_target_machine(2), 2))
        True
    """
    pto = llvm.create_pipeline_tuning_options(speed_level=check_opt(opt))
    if opt >= 2:
        # loops vectorise; straight-line code is not packed into vectors (SLP), as in Numba's default:
        # on n-body's pair loop (3-element rows, 0 to 4 iterations per entry) SLP's shuffles and
        # horizontal adds cost about 8% of the kernel, and no array benchmark gained from it
        pto.loop_vectorization = True
        pto.slp_vectorization = False
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)
    return module


def parse(text: str) -> llvm.ModuleRef:
    """Parse and verify textual LLVM IR; a verifier failure is a bug in lowering, reported as such."""
    initialize()
    try:
        module = llvm.parse_assembly(text)
        module.verify()
    except RuntimeError as exc:
        raise NativeBuildError(f"internal error: the lowered LLVM IR does not verify: {exc}") from None
    return module
