namespace MlNetRnn.Kernels;

/// <summary>The ONNX activation functions a recurrent cell may use as f, g or h; values match MLNR_ACTIVATION_*.</summary>
public enum ActivationKind
{
    Sigmoid = 0,
    Tanh = 1,
    Relu = 2,
    /// <summary>max(0, min(1, alpha*x + beta)); ONNX defaults alpha 0.2, beta 0.5.</summary>
    HardSigmoid = 3,
    /// <summary>x &gt;= 0 ? x : alpha*x; ONNX default alpha 0.01.</summary>
    LeakyRelu = 4,
    /// <summary>alpha*x + beta; ONNX defaults alpha 1, beta 0.</summary>
    Affine = 5,
    /// <summary>alpha*tanh(beta*x); ONNX defaults alpha 1, beta 1.</summary>
    ScaledTanh = 6,
    /// <summary>x &gt; alpha ? x : 0; ONNX default alpha 1.</summary>
    ThresholdedRelu = 7,
    /// <summary>x &gt;= 0 ? x : alpha*(exp(x) - 1); ONNX default alpha 1.</summary>
    Elu = 8,
    /// <summary>x / (1 + |x|).</summary>
    Softsign = 9,
    /// <summary>log(1 + exp(x)).</summary>
    Softplus = 10,
}
