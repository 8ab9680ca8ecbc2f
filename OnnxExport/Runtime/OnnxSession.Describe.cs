namespace MlNetRnn.OnnxExport.Runtime;

// Reading the session's inputs, outputs and metadata once, at creation.
public sealed unsafe partial class OnnxSession
{
    private List<OnnxValueInfo> DescribeValues(bool input)
    {
        var api = _library.Api;
        var allocator = api.DefaultAllocator();
        var which = input ? "input" : "output";
        using var session = _session.Lease();
        nuint count;
        api.ThrowIfFailed(input ? api.SessionGetInputCount(session.Pointer, &count) : api.SessionGetOutputCount(session.Pointer, &count),
            $"counting the model's {which}s");
        var values = new List<OnnxValueInfo>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            api.ThrowIfFailed(input
                    ? api.SessionGetInputName(session.Pointer, i, allocator, &rawName)
                    : api.SessionGetOutputName(session.Pointer, i, allocator, &rawName),
                $"reading the name of {which} {i}");
            var name = api.TakeAllocatorString(allocator, rawName, $"freeing the name of {which} {i}") ?? "";
            IntPtr typeInfo;
            api.ThrowIfFailed(input
                    ? api.SessionGetInputTypeInfo(session.Pointer, i, &typeInfo)
                    : api.SessionGetOutputTypeInfo(session.Pointer, i, &typeInfo),
                $"reading the type of {which} '{name}'");
            using var owned = new OrtHandle("OrtTypeInfo", api.ReleaseTypeInfo, typeInfo);
            values.Add(DescribeType(api, name, typeInfo));
        }
        return values;
    }

    private static OnnxValueInfo DescribeType(OnnxRuntimeNativeApi api, string name, IntPtr typeInfo)
    {
        int kind;
        api.ThrowIfFailed(api.GetOnnxTypeFromTypeInfo(typeInfo, &kind), $"reading the kind of '{name}'");
        if (kind != OnnxRuntimeNativeApi.OnnxTypeTensor)
            return new OnnxValueInfo(name, (OnnxValueKind)kind, OnnxElementType.Undefined, [], []);

        // A view into typeInfo, released with it.
        IntPtr tensorInfo;
        api.ThrowIfFailed(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), $"reading the tensor type of '{name}'");
        var (elementType, shape, symbolic) = ReadTensorInfo(api, tensorInfo, name);
        return new OnnxValueInfo(name, OnnxValueKind.Tensor, elementType, shape, symbolic);
    }

    /// <summary>Element type, dimensions (-1 where not fixed) and symbolic dimension names ("" where none).</summary>
    private static (OnnxElementType ElementType, long[] Shape, string[] Symbolic) ReadTensorInfo(
        OnnxRuntimeNativeApi api, IntPtr tensorInfo, string name)
    {
        int elementType;
        api.ThrowIfFailed(api.GetTensorElementType(tensorInfo, &elementType), $"reading the element type of '{name}'");
        nuint rank;
        api.ThrowIfFailed(api.GetDimensionsCount(tensorInfo, &rank), $"reading the rank of '{name}'");
        var shape = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            var names = new IntPtr[(int)rank];
            fixed (long* dimensions = shape)
                api.ThrowIfFailed(api.GetDimensions(tensorInfo, dimensions, rank), $"reading the shape of '{name}'");
            fixed (IntPtr* namePointers = names)
                api.ThrowIfFailed(api.GetSymbolicDimensions(tensorInfo, (byte**)namePointers, rank), $"reading the symbolic shape of '{name}'");
            for (var d = 0; d < symbolic.Length; d++)
                symbolic[d] = OnnxRuntimeNativeApi.Utf8((byte*)names[d]) ?? "";
        }
        return ((OnnxElementType)elementType, shape, symbolic);
    }

    private OnnxModelMetadata DescribeMetadata()
    {
        var api = _library.Api;
        var allocator = api.DefaultAllocator();
        IntPtr created;
        using (var session = _session.Lease())
            api.ThrowIfFailed(api.SessionGetModelMetadata(session.Pointer, &created), "reading the model metadata");
        using var owned = new OrtHandle("OrtModelMetadata", api.ReleaseModelMetadata, created);
        var metadata = created;

        string Text(delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> getter, string what)
        {
            byte* value;
            api.ThrowIfFailed(getter(metadata, allocator, &value), $"reading the model's {what}");
            return api.TakeAllocatorString(allocator, value, $"freeing the model's {what}") ?? "";
        }

        long version;
        api.ThrowIfFailed(api.ModelMetadataGetVersion(metadata, &version), "reading the model version");

        byte** keys;
        long keyCount;
        api.ThrowIfFailed(api.ModelMetadataGetCustomMetadataMapKeys(metadata, allocator, &keys, &keyCount), "listing the custom metadata keys");
        var custom = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys != null)
        {
            // Each key, and the array itself, came from the allocator; all go back even if a lookup fails.
            try
            {
                for (long k = 0; k < keyCount; k++)
                {
                    var key = OnnxRuntimeNativeApi.Utf8(keys[k]) ?? "";
                    byte* value;
                    api.ThrowIfFailed(api.ModelMetadataLookupCustomMetadataMap(metadata, allocator, keys[k], &value),
                        $"reading custom metadata '{key}'");
                    custom[key] = api.TakeAllocatorString(allocator, value, $"freeing custom metadata '{key}'") ?? "";
                }
            }
            finally
            {
                for (long k = 0; k < keyCount; k++)
                    api.ThrowIfFailed(api.AllocatorFree(allocator, keys[k]), "freeing a custom metadata key");
                api.ThrowIfFailed(api.AllocatorFree(allocator, keys), "freeing the custom metadata keys");
            }
        }

        return new OnnxModelMetadata(
            Text(api.ModelMetadataGetProducerName, "producer name"),
            Text(api.ModelMetadataGetGraphName, "graph name"),
            Text(api.ModelMetadataGetDomain, "domain"),
            Text(api.ModelMetadataGetDescription, "description"),
            Text(api.ModelMetadataGetGraphDescription, "graph description"),
            version,
            custom);
    }
}
