using System.Text.Json.Serialization;
using MlNetRnn.Featurization;
using MlNetRnn.Network;
using MlNetRnn.Training;

namespace MlNetRnn.Persistence;

/// <summary>
/// Every JSON document a model file, a checkpoint or an ONNX export's metadata holds, generated at compile time: no
/// reflection when reading or writing them, so the library also runs trimmed or compiled ahead of time (NativeAOT).
/// The options are those the files have always been written with (indented, enums by name, NaN/Infinity allowed);
/// files are read with stricter ones (<see cref="ModelArchive.StrictTypeInfo{T}"/>).
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ModelDocument))]
[JsonSerializable(typeof(CheckpointState))]
[JsonSerializable(typeof(ChecksumManifest))]
[JsonSerializable(typeof(SchemaDocument))]
[JsonSerializable(typeof(SequenceNetworkSpec))]
[JsonSerializable(typeof(SequenceModelOptions))]
[JsonSerializable(typeof(TextFeaturizerOptions))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
