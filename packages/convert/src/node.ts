/** Node-only entry. */
export {};
