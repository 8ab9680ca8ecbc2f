using MlNetRnn.Kernels;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// A GRU/LSTM/RNN node of a foreign graph, read as one layer of the network: its attributes, its weights in ONNX
/// layout and gate order (what torch.onnx.export writes: GRU z, r, h; LSTM i, o, f, c), and the layer it reads.
/// </summary>
/// <param name="W">[D, G*H, I]</param>
/// <param name="R">[D, G*H, H]</param>
/// <param name="B">[D, 2*G*H]: Wb then Rb per direction (zeros where the node has no B).</param>
/// <param name="Below">The layer whose outputs are X; null when X is the network's input.</param>
internal sealed record ImportedLayer(NodeProto Node, RecurrentDescriptor Descriptor, float[] W, float[] R, float[] B, ImportedLayer? Below, float[]? P = null)
{
    public string Describe() => $"node '{Node.Name}' ({Node.OpType})";
}
