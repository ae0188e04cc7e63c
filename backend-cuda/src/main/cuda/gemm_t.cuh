// C[M, N] = alpha · op(A) · op(B) + beta · C, row-major; op(A) is [M, K] (A is [K, M] when transA), op(B) is
// [K, N] (B is [N, K] when transB). Tiled through shared memory and register-blocked: a block of 256 threads
// computes a 64×64 tile of C, each thread a 4×4 sub-tile (rows ty + 16·i, columns tx + 16·j, so that a warp reads
// shared memory without bank conflicts and writes C in runs of 16), over K in steps of 16. Edges are guarded, so any
// shape works; beta = 0 never reads C (a NaN there does not survive).
#define GEMM_BM 64
#define GEMM_BN 64
#define GEMM_BK 16

extern "C" __global__ void __launch_bounds__(256) K(gemm)(int transA, int transB, int m, int n, int k, double alpha,
                                                          const T* a, const T* b, double beta, T* c) {
    __shared__ T as[GEMM_BK][GEMM_BM + 1];
    __shared__ T bs[GEMM_BK][GEMM_BN + 1];
    int tid = threadIdx.x;
    int tx = tid % 16;
    int ty = tid / 16;
    int m0 = blockIdx.y * GEMM_BM;
    int n0 = blockIdx.x * GEMM_BN;
    T acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
#pragma unroll
        for (int j = 0; j < 4; j++) {
            acc[i][j] = (T) 0;
        }
    }
    for (int k0 = 0; k0 < k; k0 += GEMM_BK) {
        // A tile: 64 rows × 16 k, 4 elements per thread, consecutive threads on consecutive addresses
#pragma unroll
        for (int l = 0; l < 4; l++) {
            int idx = tid + 256 * l;
            int r;
            int kk;
            if (transA) {
                r = idx % GEMM_BM;
                kk = idx / GEMM_BM;
            } else {
                kk = idx % GEMM_BK;
                r = idx / GEMM_BK;
            }
            int gr = m0 + r;
            int gk = k0 + kk;
            T v = (T) 0;
            if (gr < m && gk < k) {
                v = transA ? a[(long long) gk * m + gr] : a[(long long) gr * k + gk];
            }
            as[kk][r] = v;
        }
        // B tile: 16 k × 64 columns
#pragma unroll
        for (int l = 0; l < 4; l++) {
            int idx = tid + 256 * l;
            int col;
            int kk;
            if (transB) {
                kk = idx % GEMM_BK;
                col = idx / GEMM_BK;
            } else {
                col = idx % GEMM_BN;
                kk = idx / GEMM_BN;
            }
            int gc = n0 + col;
            int gk = k0 + kk;
            T v = (T) 0;
            if (gc < n && gk < k) {
                v = transB ? b[(long long) gc * k + gk] : b[(long long) gk * n + gc];
            }
            bs[kk][col] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < GEMM_BK; kk++) {
            T af[4];
            T bf[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                af[i] = as[kk][ty + 16 * i];
                bf[i] = bs[kk][tx + 16 * i];
            }
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    acc[i][j] += af[i] * bf[j];
                }
            }
        }
        __syncthreads();
    }
    T ta = (T) alpha;
    T tb = (T) beta;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int row = m0 + ty + 16 * i;
        if (row >= m) {
            continue;
        }
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int col = n0 + tx + 16 * j;
            if (col < n) {
                long long at = (long long) row * n + col;
                c[at] = beta == 0 ? ta * acc[i][j] : ta * acc[i][j] + tb * c[at];
            }
        }
    }
}
