using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// Imports a recurrent ONNX model written by another producer (torch.onnx.export and the like), which carries no
/// MlNetRnn metadata: <see cref="RecurrentGraphReader"/> reads the network from the graph, <see cref="ImportedModelBuilder"/>
/// makes it a model with what the options add. <see cref="OnnxImporter"/> sends such files here.
/// </summary>
internal static class ForeignModelImporter
{
    public static SequenceModel Import(ModelProto proto, string origin, OnnxImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(proto);
        ArgumentNullException.ThrowIfNull(options);
        var graph = RecurrentGraphReader.Read(proto, origin, options.OutputName);
        return ImportedModelBuilder.Build(graph, options, origin);
    }
}
