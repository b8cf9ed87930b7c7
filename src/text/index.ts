// text: public API of this modality (filled by its issue).
export {};
