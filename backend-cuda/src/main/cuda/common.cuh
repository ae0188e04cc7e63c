// Shared helpers of Tandem's CUDA kernels. Compiled to PTX for a virtual architecture (see backend-cuda/pom.xml);
// every kernel exists twice, name_f32 and name_f64, from the *_t.cuh bodies included once per element type.
#pragma once

#define TPB 256

// Grid-stride loop over [0, n).
#define FOR_EACH(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// SplitMix64's finaliser, bit for bit as dev.tandem.learning.tensor.CounterRng.mix (Java's long arithmetic wraps
// like unsigned 64-bit arithmetic, and >>> is the unsigned shift).
__device__ __forceinline__ unsigned long long tandem_mix(long long seed, long long index) {
    unsigned long long z = (unsigned long long) seed + (unsigned long long) (index + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) with 53 bits, as CounterRng.uniform.
__device__ __forceinline__ double tandem_uniform(long long seed, long long index) {
    return (double) (tandem_mix(seed, index) >> 11) * 1.1102230246251565e-16; // 2^-53
}

// Sum of one double per thread of the block (blockDim.x == TPB); the result is valid in thread 0.
__device__ __forceinline__ double block_sum(double v, double* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int s = TPB / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            shared[threadIdx.x] += shared[threadIdx.x + s];
        }
        __syncthreads();
    }
    double r = shared[0];
    __syncthreads();
    return r;
}

// Activations (dev.tandem.learning.tensor.Activation ordinals).
#define ACT_IDENTITY 0
#define ACT_RELU 1
#define ACT_ELU 2
#define ACT_SIGMOID 3
#define ACT_TANH 4

template <typename T> __device__ __forceinline__ T act_apply(int f, T z) {
    switch (f) {
        case ACT_RELU: return z > (T) 0 ? z : (T) 0;
        case ACT_ELU: return z > (T) 0 ? z : expm1(z);
        case ACT_SIGMOID: return (T) 1 / ((T) 1 + exp(-z));
        case ACT_TANH: return tanh(z);
        default: return z;
    }
}

// f'(z) given y = f(z).
template <typename T> __device__ __forceinline__ T act_slope(int f, T z, T y) {
    switch (f) {
        case ACT_RELU: return z > (T) 0 ? (T) 1 : (T) 0;
        case ACT_ELU: return z > (T) 0 ? (T) 1 : y + (T) 1;
        case ACT_SIGMOID: return y * ((T) 1 - y);
        case ACT_TANH: return (T) 1 - y * y;
        default: return (T) 1;
    }
}

template <typename T> __device__ __forceinline__ T sigmoid_of(T x) {
    return (T) 1 / ((T) 1 + exp(-x));
}

// Unary ops (dev.tandem.learning.tensor.Unary ordinals).
template <typename T> __device__ __forceinline__ T unary_apply(int op, T x) {
    switch (op) {
        case 0: return sqrt(x);
        case 1: return fabs(x);
        case 2: return x * x;
        case 3: return (T) 1 / x;
        case 4: return exp(x);
        case 5: return log(x);
        case 6: return x >= (T) 0 ? (T) 1 : (T) 0;
        default: return x;
    }
}
