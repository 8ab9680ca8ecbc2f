namespace MlNetRnn.Kernels;

/// <summary>
/// One activation function of a recurrent cell with its parameters. <see cref="Apply"/> and
/// <see cref="DerivativeFromOutput"/> are the scalar definitions every kernel is tested against.
/// </summary>
public readonly record struct Activation(ActivationKind Kind, float Alpha, float Beta)
{
    public static Activation Sigmoid => new(ActivationKind.Sigmoid, 0f, 0f);

    public static Activation Tanh => new(ActivationKind.Tanh, 0f, 0f);

    public static Activation Relu => new(ActivationKind.Relu, 0f, 0f);

    /// <summary>The activation with the ONNX operator's default alpha and beta.</summary>
    public static Activation WithDefaults(ActivationKind kind) => kind switch
    {
        ActivationKind.HardSigmoid => new(kind, 0.2f, 0.5f),
        ActivationKind.LeakyRelu => new(kind, 0.01f, 0f),
        ActivationKind.Affine => new(kind, 1f, 0f),
        ActivationKind.ScaledTanh => new(kind, 1f, 1f),
        ActivationKind.ThresholdedRelu => new(kind, 1f, 0f),
        ActivationKind.Elu => new(kind, 1f, 0f),
        _ => new(kind, 0f, 0f),
    };

    /// <summary>Whether the function reads alpha (the ONNX attribute activation_alpha).</summary>
    public static bool UsesAlpha(ActivationKind kind) => kind is ActivationKind.HardSigmoid or ActivationKind.LeakyRelu
        or ActivationKind.Affine or ActivationKind.ScaledTanh or ActivationKind.ThresholdedRelu or ActivationKind.Elu;

    /// <summary>Whether the function reads beta (the ONNX attribute activation_beta).</summary>
    public static bool UsesBeta(ActivationKind kind) => kind is ActivationKind.HardSigmoid or ActivationKind.Affine
        or ActivationKind.ScaledTanh;

    /// <summary>The ONNX name of the function, as in the activations attribute.</summary>
    public string OnnxName => Kind.ToString();

    /// <summary>Parses an ONNX activation name (case-insensitive, as ONNX Runtime accepts it).</summary>
    public static bool TryParseOnnxName(string name, out ActivationKind kind) =>
        Enum.TryParse(name, ignoreCase: true, out kind) && Enum.IsDefined(kind);

    public float Apply(float x) => Kind switch
    {
        ActivationKind.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        ActivationKind.Tanh => MathF.Tanh(x),
        ActivationKind.Relu => MathF.Max(x, 0f),
        ActivationKind.HardSigmoid => MathF.Max(0f, MathF.Min(1f, Alpha * x + Beta)),
        ActivationKind.LeakyRelu => x >= 0f ? x : Alpha * x,
        ActivationKind.Affine => Alpha * x + Beta,
        ActivationKind.ScaledTanh => Alpha * MathF.Tanh(Beta * x),
        ActivationKind.ThresholdedRelu => x > Alpha ? x : 0f,
        ActivationKind.Elu => x >= 0f ? x : Alpha * (MathF.Exp(x) - 1f),
        ActivationKind.Softsign => x / (1f + MathF.Abs(x)),
        ActivationKind.Softplus => x > 20f ? x : MathF.Log(1f + MathF.Exp(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown activation."),
    };

    /// <summary>
    /// dy/dx expressed through the output y = Apply(x), which is what backward keeps.
    /// Exact for every function except at its kinks (where it picks a one-sided derivative);
    /// LeakyRelu needs alpha &gt;= 0 and ScaledTanh alpha != 0 for y to determine the derivative.
    /// </summary>
    public float DerivativeFromOutput(float y) => Kind switch
    {
        ActivationKind.Sigmoid => y * (1f - y),
        ActivationKind.Tanh => 1f - y * y,
        ActivationKind.Relu => y > 0f ? 1f : 0f,
        ActivationKind.HardSigmoid => y > 0f && y < 1f ? Alpha : 0f,
        ActivationKind.LeakyRelu => y >= 0f ? 1f : Alpha,
        ActivationKind.Affine => Alpha,
        ActivationKind.ScaledTanh => Alpha * Beta * (1f - (y / Alpha) * (y / Alpha)),
        ActivationKind.ThresholdedRelu => y != 0f ? 1f : 0f,
        ActivationKind.Elu => y >= 0f ? 1f : y + Alpha,
        ActivationKind.Softsign => (1f - MathF.Abs(y)) * (1f - MathF.Abs(y)),
        ActivationKind.Softplus => 1f - MathF.Exp(-y),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown activation."),
    };
}
