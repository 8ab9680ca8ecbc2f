using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Import;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn;

/// <summary>
/// Reads an ONNX file exported by MlNetRnn back into a trainable <see cref="SequenceModel"/> (to score natively,
/// continue training with SequenceModelEstimator.Fit(model, data), or fine-tune). A file without MlNetRnn's metadata
/// (from torch.onnx.export, say) is read from its graph instead, with what the graph cannot say taken from
/// <see cref="OnnxImportOptions"/>.
/// <para>Nothing of a file is used before it is verified (<see cref="OnnxModelFile"/>: size, parse, metadata caps,
/// checksum, every tensor finite and of the size its dims say; then an export's metadata as strictly as a model file's
/// model.json and against its graph, <see cref="ExportDescription"/> and <see cref="ExportedGraphVerifier"/>; a
/// foreign graph through <see cref="RecurrentGraphReader"/>). A damaged file, or one that is not a network this library
/// can represent, is refused with a <see cref="ModelFileException"/> naming the file, the metadata key, node or
/// initializer, what is wrong and what was expected; options that do not fit the graph, with an ArgumentException.</para>
/// </summary>
public static class OnnxImporter
{
    /// <param name="importOptions">For files from other producers (see <see cref="OnnxImportOptions"/>); MlNetRnn's own
    /// exports carry everything in their metadata and ignore them.</param>
    public static SequenceModel Import(string path, OnnxImportOptions? importOptions = null) =>
        Import(OnnxModelFile.ReadBytes(path), path, importOptions);

    public static SequenceModel Import(byte[] bytes, string origin = "(bytes)", OnnxImportOptions? importOptions = null) =>
        Import(OnnxModelFile.Parse(bytes, origin), origin, importOptions);

    public static SequenceModel Import(ModelProto proto, string origin, OnnxImportOptions? importOptions = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        ArgumentNullException.ThrowIfNull(origin);
        if (proto.Graph is null)
            throw new ModelFileException(origin, null, "is not an ONNX model: it has no graph.");
        var metadata = OnnxModelFile.Metadata(proto, origin);
        if (!IsExport(metadata))
        {
            OnnxModelFile.CheckTensors(proto.Graph, origin);
            return ForeignModelImporter.Import(proto, origin, importOptions ?? new OnnxImportOptions());
        }
        var description = VerifyExport(proto, metadata, origin);
        var spec = description.Spec;
        var parameters = new ParameterSet(SequenceNetwork.Layout(spec));
        foreach (var tensor in parameters.Tensors)
        {
            if (tensor.Name == SequenceNetwork.HeadWeightName && spec.PerStep)
            {
                var transposed = Floats(proto, OnnxExporter.HeadWeightTransposedName);   // [F, K]
                int K = tensor.Shape[0], F = tensor.Shape[1];
                for (var f = 0; f < F; f++)
                    for (var k = 0; k < K; k++)
                        tensor.Values[k * F + f] = transposed[f * K + k];
            }
            else
            {
                Floats(proto, tensor.Name).CopyTo(tensor.Values);
            }
        }
        return new SequenceModel(description.Schema, spec, parameters, description.Options);
    }

    /// <summary>Whether the metadata is an MlNetRnn export's: any key under "mlnetrnn." (one whose format key was lost
    /// is a damaged export, not a foreign graph).</summary>
    internal static bool IsExport(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Keys.Any(k => k.StartsWith(OnnxModelContract.MetadataPrefix, StringComparison.Ordinal));

    /// <summary>Verifies an MlNetRnn export (see the class summary) and returns what its metadata describes; a file
    /// without MlNetRnn's metadata is refused.</summary>
    internal static ExportDescription VerifyExport(ModelProto proto, string origin) =>
        VerifyExport(proto, OnnxModelFile.Metadata(proto, origin), origin);

    private static ExportDescription VerifyExport(ModelProto proto, IReadOnlyDictionary<string, string> metadata, string origin)
    {
        var hasChecksum = OnnxModelFile.VerifyChecksum(proto, metadata, origin);
        OnnxModelFile.CheckTensors(proto.Graph, origin);
        var description = ExportDescription.Read(metadata, origin, proto.ProducerName, hasChecksum);
        ExportedGraphVerifier.Verify(proto, description, origin);
        return description;
    }

    // An initializer the verifier found with the spec's shape, FLOAT, finite.
    private static float[] Floats(ModelProto proto, string name) => OnnxTensor.FromProto(ExportedGraphVerifier.Initializer(proto, name)).Floats;
}
