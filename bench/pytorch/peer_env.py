"""Where the PyTorch peer ran: its vector ISA, oneDNN and BLAS, and the ISA restrictions in its environment.

Every peer script puts peer_environment() into its JSON, so that `tandem bench --isa avx2` can show that the
restriction (ATEN_CPU_CAPABILITY, DNNL_MAX_CPU_ISA, OPENBLAS_CORETYPE) reached the peer.
"""
import os


def peer_environment(torch):
    config = torch.__config__.show()
    capability = "unknown"
    blas = "unknown"
    for line in config.splitlines():
        line = line.strip()
        if line.startswith("- CPU capability usage:"):
            capability = line.split(":", 1)[1].strip()
        if "BLAS_INFO=" in line:
            blas = line.split("BLAS_INFO=", 1)[1].split(",", 1)[0].strip()
    return {
        "cpu_capability": capability,
        "onednn_available": bool(torch.backends.mkldnn.is_available()),
        "blas_info": blas,
        "env": {k: os.environ.get(k, "unset") for k in ("ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA", "OPENBLAS_CORETYPE")},
    }
