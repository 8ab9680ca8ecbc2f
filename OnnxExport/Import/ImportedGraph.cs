using MlNetRnn.Network;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// What a foreign graph computes, in MlNetRnn's terms: the input, the stacked recurrent layers, the read-out, the
/// dense head and the output activation. <see cref="ImportedModelBuilder"/> turns it into a model.
/// </summary>
/// <param name="InputWidth">Token models: embedding rows (vocabulary size). Dense models: features per step.</param>
/// <param name="Embedding">[V, E] for token models, else null.</param>
/// <param name="Layers">Bottom to top.</param>
/// <param name="HeadWeight">[K, F]</param>
/// <param name="HeadBias">[K]</param>
internal sealed record ImportedGraph(
    SequenceInputKind InputKind,
    int InputWidth,
    float[]? Embedding,
    int EmbeddingSize,
    IReadOnlyList<ImportedLayer> Layers,
    ReadOutKind ReadOut,
    float[] HeadWeight,
    float[] HeadBias,
    int OutputSize,
    OutputActivation Activation,
    string ActivationNode)
{
    public bool PerStep => ReadOut == ReadOutKind.AllSteps;
}
