using MlNetRnn.OnnxExport.Export;

namespace MlNetRnn;

/// <summary>ONNX export as a method of the trained model.</summary>
public static class SequenceModelOnnxExtensions
{
    /// <summary>Writes the model as ONNX (atomically); see <see cref="OnnxExporter"/> and <see cref="OnnxModelContract"/>.</summary>
    public static OnnxExportReport ExportToOnnx(this SequenceModel model, string path, OnnxExportOptions? options = null) =>
        OnnxExporter.Export(model, path, options);
}
