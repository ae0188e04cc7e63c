// Tandem's CUDA kernels, one PTX module: element-wise maps and reductions, the tiled GEMM, the convolution
// layout kernels (im2col / col2im), pooling, batch norm, the ConvLSTM gate passes, softmax and the loss, the random
// masks and the optimizer updates. Each *_t.cuh body is included twice, for float (suffix _f32) and double (_f64).
#include "common.cuh"

#define T float
#define K(name) name##_f32
#define GEMM_TILE_T float
#include "elementwise_t.cuh"
#include "reduce_t.cuh"
#include "gemm_t.cuh"
#include "conv_t.cuh"
#include "nn_t.cuh"
#include "optim_t.cuh"
#undef T
#undef K
#undef GEMM_TILE_T

#define T double
#define K(name) name##_f64
#define GEMM_TILE_T double
#include "elementwise_t.cuh"
#include "reduce_t.cuh"
#include "gemm_t.cuh"
#include "conv_t.cuh"
#include "nn_t.cuh"
#include "optim_t.cuh"
#undef T
#undef K
#undef GEMM_TILE_T
