namespace MlNetRnn.Kernels;

/// <summary>Checks a row-major GEMM call: C[M,N] = alpha op(A)[M,K] op(B)[K,N] + beta C.</summary>
public static class GemmArguments
{
    public static void Validate(bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be >= 0, got M={m}, N={n}, K={k}.");
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        CheckMatrix("A", aRows, aCols, lda, aLength);
        CheckMatrix("B", bRows, bCols, ldb, bLength);
        CheckMatrix("C", m, n, ldc, cLength);
    }

    private static void CheckMatrix(string name, int rows, int cols, int ld, int length)
    {
        if (rows == 0 || cols == 0)
            return;
        if (ld < cols)
            throw new ArgumentOutOfRangeException("ld" + name.ToLowerInvariant(), ld,
                $"The leading dimension of {name} must be >= its {cols} columns.");
        var needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"{name} needs at least {needed} elements for [{rows}, {cols}] with leading dimension {ld}, got {length}.", name);
    }
}
